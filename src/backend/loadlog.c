/* loadlog.c - see loadlog.h. */
#include "backend/loadlog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"

int loadlog_host_device(const char *name)
{
    return strcasestr(name, "CPU") != NULL || strcasestr(name, "_Host") != NULL ||
           !strcasecmp(name, "AMX") || strcasestr(name, "KLEIDI") != NULL;
}

/* "... <func>: <device> <what> buffer size = <mib> MiB": the device and the
 * MiB, after the marker " <what> buffer size = ". The device is the last
 * word before the marker. */
static int buffer_line(const char *line, const char *marker, char *device, size_t dev_len, double *mib)
{
    const char *m = strstr(line, marker);
    if (!m)
        return 0;
    const char *end = m;
    while (end > line && end[-1] == ' ')
        end--;
    const char *start = end;
    while (start > line && !isspace((unsigned char)start[-1]))
        start--;
    size_t n = (size_t)(end - start);
    if (n == 0 || n >= dev_len)
        return 0;
    memcpy(device, start, n);
    device[n] = '\0';
    char *after = NULL;
    double v = strtod(m + strlen(marker), &after);
    if (after == m + strlen(marker) || strncmp(after, " MiB", 4) != 0 || v < 0)
        return 0;
    *mib = v;
    return 1;
}

static void add(int64_t *sum, int64_t bytes)
{
    *sum = (*sum < 0 ? 0 : *sum) + bytes;
}

static void note_device(struct loadlog *out, const char *device)
{
    if (loadlog_host_device(device))
        return;
    /* comma-separated, each once */
    size_t dl = strlen(device);
    for (const char *p = out->gpu_devices; *p;) {
        size_t n = strcspn(p, ",");
        if (n == dl && !strncmp(p, device, n))
            return;
        p += n + (p[n] == ',');
    }
    size_t used = strlen(out->gpu_devices);
    if (used + dl + 2 < sizeof out->gpu_devices)
        snprintf(out->gpu_devices + used, sizeof out->gpu_devices - used, "%s%s", used ? "," : "", device);
}

static void one_line(const char *line, struct loadlog *out, int *model)
{
    static const struct { const char *marker, *kind; } kinds[] = {
        { " model buffer size = ", "model" },
        { " KV buffer size = ", "kv" },
        { " RS buffer size = ", "kv" },        /* recurrent state: the SSM models' cache */
        { " compute buffer size = ", "compute" },
        { " output buffer size = ", "output" },
    };
    if (strstr(line, "no usable GPU found")) {
        out->gpu_unusable = 1;
        return;
    }
    if (strstr(line, "load_tensors: loading model tensors")) {
        (*model)++;
        out->n_models = *model + 1;
        return;
    }
    const char *off = strstr(line, "load_tensors: offloaded ");
    if (off) {
        int a, b;
        if (*model <= 0 && sscanf(off + strlen("load_tensors: offloaded "), "%d/%d layers", &a, &b) == 2 &&
            out->layers_offloaded < 0) {
            out->layers_offloaded = a;
            out->layers_total = b;
        }
        return;
    }
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char device[64];
        double mib;
        if (!buffer_line(line, kinds[k].marker, device, sizeof device, &mib))
            continue;
        int64_t bytes = (int64_t)(mib * 1048576.0 + 0.5);
        int gpu = !loadlog_host_device(device);
        const char *kind = kinds[k].kind;
        if (!strcmp(kind, "model")) {
            add(&out->model_bytes, bytes);
            if (gpu)
                add(&out->gpu_model_bytes, bytes);
        } else if (!strcmp(kind, "kv")) {
            add(&out->kv_bytes, bytes);
            if (gpu)
                add(&out->gpu_kv_bytes, bytes);
        } else if (!strcmp(kind, "compute")) {
            add(&out->compute_bytes, bytes);
            if (gpu)
                add(&out->gpu_compute_bytes, bytes);
        }
        note_device(out, device);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "model", *model < 0 ? 0 : *model);
        cJSON_AddStringToObject(o, "kind", kind);
        cJSON_AddStringToObject(o, "device", device);
        cJSON_AddNumberToObject(o, "bytes", (double)bytes);
        cJSON_AddItemToArray(out->buffers, o);
        return;
    }
}

void loadlog_parse(const char *text, size_t len, struct loadlog *out)
{
    memset(out, 0, sizeof *out);
    out->model_bytes = out->kv_bytes = out->compute_bytes = -1;
    out->gpu_model_bytes = out->gpu_kv_bytes = out->gpu_compute_bytes = -1;
    out->layers_offloaded = out->layers_total = -1;
    out->buffers = cJSON_CreateArray();
    int model = -1;
    size_t i = 0;
    char line[1024];
    while (i < len) {
        size_t n = 0;
        while (i + n < len && text[i + n] != '\n')
            n++;
        size_t keep = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, text + i, keep);
        line[keep] = '\0';
        one_line(line, out, &model);
        i += n + 1;
    }
    /* a GPU device without its own line means zero on it, not unknown */
    if (out->gpu_devices[0]) {
        if (out->gpu_model_bytes < 0)
            out->gpu_model_bytes = 0;
        if (out->gpu_kv_bytes < 0)
            out->gpu_kv_bytes = 0;
        if (out->gpu_compute_bytes < 0)
            out->gpu_compute_bytes = 0;
    }
}

void loadlog_free(struct loadlog *l)
{
    cJSON_Delete(l->buffers);
    l->buffers = NULL;
}
