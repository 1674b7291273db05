/* fs.c - whole-file reads, the tail of a file, atomic writes that refuse
 * symbolic links, temp files, mkdir -p, directory listings by suffix and
 * the $PATH search (see fs.h). */
#include "util/fs.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *fs_read_file(const char *path, size_t *len_out, struct bai_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    if (ferror(f)) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: read error: %s", path, strerror(errno));
        fclose(f);
        buf_free(&b);
        return NULL;
    }
    fclose(f);
    if (len_out)
        *len_out = b.len;
    return buf_detach(&b);
}

int fs_refuse_symlink(const char *path, struct bai_error *err)
{
    struct stat sb;
    /* "dir/" would follow the link: look at the name itself */
    char *name = xstrdup(path);
    for (size_t n = strlen(name); n > 1 && name[n - 1] == '/'; n--)
        name[n - 1] = '\0';
    int link = lstat(name, &sb) == 0 && S_ISLNK(sb.st_mode);
    if (!link) {
        free(name);
        return 0;
    }
    char target[4096];
    ssize_t n = readlink(name, target, sizeof target - 1);
    free(name);
    target[n > 0 ? n : 0] = '\0';
    bai_error_set(err, BAI_EXIT_USAGE,
                  "%s is a symbolic link (to %s) that benchai did not create: it does not write "
                  "through it; remove the link or give another file name", path,
                  n > 0 ? target : "?");
    return -1;
}

int fs_create_temp(const char *path, const char *suffix, char **tmp_out, struct bai_error *err)
{
    suffix = suffix ? suffix : "";
    char *tmp = xasprintf("%s.tmp.XXXXXX%s", path, suffix);
    int fd = mkostemps(tmp, (int)strlen(suffix), O_CLOEXEC);
    if (fd < 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp makes 0600; the file gets what open(0644) would have given */
    mode_t mask = umask(022);
    umask(mask);
    if (fchmod(fd, 0644 & ~mask) != 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    *tmp_out = tmp;
    return fd;
}

int fs_write_atomic(const char *path, const void *data, size_t len, struct bai_error *err)
{
    if (fs_refuse_symlink(path, err) < 0)
        return -1;
    char *tmp = NULL;
    int fd = fs_create_temp(path, NULL, &tmp, err);
    if (fd < 0)
        return -1;
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            bai_error_set(err, BAI_EXIT_USAGE, "%s: write: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            free(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "rename %s -> %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int fs_mkdirs(const char *path, int mode, struct bai_error *err)
{
    char *copy = xstrdup(path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST) {
            bai_error_set(err, BAI_EXIT_USAGE, "mkdir %s: %s", copy, strerror(errno));
            free(copy);
            return -1;
        }
        *p = '/';
    }
    if (mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST) {
        bai_error_set(err, BAI_EXIT_USAGE, "mkdir %s: %s", copy, strerror(errno));
        free(copy);
        return -1;
    }
    free(copy);
    return 0;
}

int fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *fs_tail_lines(const char *path, int n_lines, const char *unreadable)
{
    char *text = fs_read_file(path, NULL, NULL);
    if (!text)
        return xstrdup(unreadable);
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    const char *p = text + len;
    int lines = 0;
    while (p > text) {
        p--;
        if (*p == '\n' && ++lines == n_lines) {
            p++;
            break;
        }
    }
    char *out = xstrdup(p);
    free(text);
    return out;
}

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with_any(const char *name, const char *const *suffixes)
{
    size_t len = strlen(name);
    for (; *suffixes; suffixes++) {
        size_t sl = strlen(*suffixes);
        if (len > sl && !strcmp(name + len - sl, *suffixes))
            return 1;
    }
    return 0;
}

char **fs_list_suffix(const char *dir, const char *const *suffixes, size_t *n)
{
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !ends_with_any(e->d_name, suffixes))
            continue;
        XGROW(v, *n + 1, cap);
        v[(*n)++] = xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_path);
    return v;
}

char *fs_which(const char *name)
{
    const char *path = getenv("PATH");
    if (!name || !*name || strchr(name, '/') || !path)
        return NULL;
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *cand = xasprintf("%.*s/%s", (int)n, n ? p : ".", name);
        if (access(cand, X_OK) == 0)
            return cand;
        free(cand);
        if (!colon)
            return NULL;
        p = colon + 1;
    }
}
