#ifndef MEMESTREAM_CMEMORY_SHIM_H
#define MEMESTREAM_CMEMORY_SHIM_H
// Memory calls that Swift does not expose: the compiler's prefetch hint and glibc's mallopt.
#include <stddef.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/// Asks the CPU to load the cache lines of `length` bytes at `address` for reading, without
/// waiting for them. A hint only: it never faults and has no visible effect.
static inline void memestream_prefetch(const void *address, size_t length) {
    const char *line = (const char *)address;
    for (size_t offset = 0; offset < length; offset += 64) {
        __builtin_prefetch(line + offset, 0, 3);
    }
}

/// Fixes glibc's mmap threshold at `bytes`: allocations at least that large get their own
/// mapping and go back to the system when freed. Returns 1 on success, 0 otherwise.
static inline int memestream_set_mmap_threshold(int bytes) {
#ifdef __GLIBC__
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}
#endif
