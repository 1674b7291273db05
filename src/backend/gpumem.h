/* gpumem.h - GPU memory held by given processes, where an NVIDIA driver is
 * present: through NVML (the driver's libnvidia-ml.so.1, loaded at run time
 * with dlopen, so benchai neither links nor needs it), else through
 * `nvidia-smi --query-compute-apps=pid,used_memory`; on a machine with
 * neither, the figure is unavailable and says why.
 * Owns: the NVML calls and the nvidia-smi output format. Does not own: which
 * processes to ask about (procmem.h) or when (memwatch.h).
 * BENCHAI_NVML_LIB names another library file to load instead (a driver
 * installed elsewhere; the tests' stand-in). */
#ifndef BAI_GPUMEM_H
#define BAI_GPUMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gpumem {
    int64_t bytes;               /* summed over the processes and every GPU; -1 unavailable */
    char source[16];             /* "nvml" or "nvidia-smi"; "" when unavailable */
    char note[400];              /* why unavailable ("libnvidia-ml.so.1 not loadable; nvidia-smi not on PATH") */
};

/* Asks for the GPU memory of pids[0..n). A process the driver does not list
 * holds none (0 bytes when the driver answered). Thread-safe. */
void gpumem_query(const pid_t *pids, size_t n, struct gpumem *out);

/* The text stored for a result: the source, or "unavailable: NOTE". */
const char *gpumem_describe(const struct gpumem *g, char *buf, size_t len);

#endif
