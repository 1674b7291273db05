/* image.c - the images of suite items: a file inside the suite's folder or
 * a base64 data: URI, read when the suite loads so its bytes are what the
 * hash covers and what every request sends (a file changed later cannot
 * make one run mix two pictures under one hash). The MIME type comes from
 * the bytes, never from a file name: a server told "image/png" for a JPEG
 * may refuse it or decode garbage. */
#include "suite/internal.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *suite_image_sniff(const unsigned char *b, size_t n)
{
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
        return "image/jpeg";
    if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
        return "image/gif";
    if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
        return "image/webp";
    if (n >= 14 && b[0] == 'B' && b[1] == 'M')
        return "image/bmp";
    return NULL;
}

char *suite_image_data_uri(const struct suite_image *im)
{
    char *b64 = base64_encode(im->bytes, im->len);
    char *uri = xasprintf("data:%s;base64,%s", im->mime, b64);
    free(b64);
    return uri;
}

void suite_image_clear(struct suite_image *im)
{
    free(im->source);
    free(im->mime);
    free(im->bytes);
    memset(im, 0, sizeof *im);
}

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

static int finish(struct suite_image *out, const char *source, unsigned char *bytes, size_t len,
                  const char *declared, char *why, size_t why_len)
{
    const char *mime = suite_image_sniff(bytes, len);
    if (!mime) {
        free(bytes);
        return fail(why, why_len, "image %s: not a PNG, JPEG, GIF, WebP or BMP image (by its first bytes)",
                    source);
    }
    if (declared && strcmp(declared, mime)) {
        free(bytes);
        return fail(why, why_len, "image %s: the data URI says %s but the bytes are %s", source, declared,
                    mime);
    }
    out->source = xstrdup(source);
    out->mime = xstrdup(mime);
    out->bytes = bytes;
    out->len = len;
    sha256_hex(bytes, len, out->sha256);
    return 0;
}

/* data:<mime>;base64,<data>; other encodings (percent-escaped text) are not
 * images anyone writes by hand, and are refused with the reason. */
static int load_data_uri(const char *spec, struct suite_image *out, char *why, size_t why_len)
{
    const char *comma = strchr(spec, ',');
    if (!comma)
        return fail(why, why_len, "image data URI without ',' (want data:image/png;base64,...)");
    size_t head = (size_t)(comma - spec);
    if (head < 12 || strncmp(comma - 7, ";base64", 7))
        return fail(why, why_len, "image data URI must be base64 (data:image/png;base64,...), got '%.*s'",
                    (int)(head > 60 ? 60 : head), spec);
    char *declared = xstrndup(spec + 5, head - 5 - 7);
    char *semi = strchr(declared, ';');   /* parameters (charset=...) are not part of the type */
    if (semi)
        *semi = '\0';
    if (strncmp(declared, "image/", 6)) {
        int rc = fail(why, why_len, "image data URI has type '%s', not image/...", declared);
        free(declared);
        return rc;
    }
    size_t len = strlen(comma + 1), n = 0, bad = 0;
    if (len / 4 * 3 > SUITE_IMAGE_MAX_BYTES + 3) {
        free(declared);
        return fail(why, why_len, "image data URI holds more than %u MiB", SUITE_IMAGE_MAX_BYTES >> 20);
    }
    unsigned char *bytes = base64_decode(comma + 1, len, &n, &bad);
    if (!bytes) {
        free(declared);
        return fail(why, why_len, "image data URI: invalid base64 at character %zu of the data", bad + 1);
    }
    char source[80];
    snprintf(source, sizeof source, "data:%s;base64", declared);
    int rc = finish(out, source, bytes, n, declared, why, why_len);
    free(declared);
    return rc;
}

int suite_image_load(const char *suite_path, const char *spec, struct suite_image *out, char *why,
                     size_t why_len)
{
    memset(out, 0, sizeof *out);
    if (!strncmp(spec, "data:", 5))
        return load_data_uri(spec, out, why, why_len);
    if (strstr(spec, "://"))
        return fail(why, why_len, "image '%s': a URL would be fetched at run time and may change; "
                    "save the image beside the suite and give its path", spec);
    if (spec[0] == '/' || spec[0] == '~')
        return fail(why, why_len, "image '%s': give a path relative to the suite's folder", spec);
    char *dir = fs_dirname(suite_path);
    char *root = realpath(dir, NULL);
    free(dir);
    if (!root)
        return fail(why, why_len, "image '%s': the suite's folder cannot be resolved (%s)", spec,
                    strerror(errno));
    char *joined = xasprintf("%s/%s", root, spec);
    char *real = realpath(joined, NULL);
    int saved = errno;
    free(joined);
    int rc = -1;
    if (!real) {
        rc = fail(why, why_len, "image '%s': %s", spec, strerror(saved));
        goto out;
    }
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) || (real[rl] != '/' && strcmp(root, "/"))) {
        rc = fail(why, why_len, "image '%s' resolves to %s, outside the suite's folder %s", spec, real, root);
        goto out;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = fail(why, why_len, "image '%s': %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        rc = fail(why, why_len, "image '%s' is not a regular file", spec);
        goto out;
    }
    if ((unsigned long long)st.st_size > SUITE_IMAGE_MAX_BYTES) {
        close(fd);
        rc = fail(why, why_len, "image '%s' has %lld bytes, more than the %u MiB an image may have", spec,
                  (long long)st.st_size, SUITE_IMAGE_MAX_BYTES >> 20);
        goto out;
    }
    size_t len = (size_t)st.st_size, got = 0;
    unsigned char *bytes = xmalloc(len + 1);
    while (got < len) {
        ssize_t r = read(fd, bytes + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != len) {
        free(bytes);
        rc = fail(why, why_len, "image '%s': short read (%zu of %zu bytes)", spec, got, len);
        goto out;
    }
    rc = finish(out, spec, bytes, len, NULL, why, why_len);
out:
    free(real);
    free(root);
    return rc;
}
