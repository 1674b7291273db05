/* loadlog.h - what llama-server says about memory while it loads, read from
 * its log: the model, KV-cache and compute buffers per device, and how many
 * layers went to the GPU. Tested against the lines of the pinned build
 * (llama.cpp from node-llama-cpp 3.22.1), which prints them at log
 * verbosity 4 ("load_tensors:   CPU_Mapped model buffer size =    56.33 MiB",
 * "llama_kv_cache:        CPU KV buffer size =     8.00 MiB",
 * "sched_reserve:        CPU compute buffer size =    29.01 MiB",
 * "load_tensors: offloaded 33/33 layers to GPU"; the last only in a build
 * with a GPU backend). A target and its draft both log: the first model
 * loaded is the target, buffers of both are summed.
 * Owns: the line formats. Does not own: where the log is (llama_server.c). */
#ifndef BAI_LOADLOG_H
#define BAI_LOADLOG_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

struct loadlog {
    int64_t model_bytes, kv_bytes, compute_bytes;   /* -1: no such line */
    int64_t gpu_model_bytes, gpu_kv_bytes, gpu_compute_bytes;   /* on GPU devices */
    int layers_offloaded, layers_total;              /* the target's; -1: no such line */
    int n_models;                /* models whose tensors were loaded (target, draft, ...) */
    int gpu_unusable;            /* "no usable GPU found, --gpu-layers option will be ignored" */
    char gpu_devices[128];       /* GPU buffer devices seen, "CUDA0,CUDA1"; "" none */
    cJSON *buffers;              /* [{"model":0,"kind":"model|kv|compute|output","device":..,"bytes":..}] */
};

/* Parses len bytes of log text (one server start's part of the log). Lines
 * it does not know are skipped; text without any known line gives the
 * unknown values. out->buffers is allocated (free with loadlog_free). */
void loadlog_parse(const char *text, size_t len, struct loadlog *out);
void loadlog_free(struct loadlog *l);

/* 1 when a buffer device name is the host's (CPU, CPU_Mapped, CPU_REPACK,
 * AMX, CUDA_Host, ...), 0 when it is a GPU device (CUDA0, ROCm0, Vulkan0,
 * Metal, ...). */
int loadlog_host_device(const char *name);

#endif
