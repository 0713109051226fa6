#ifndef MEMESTREAM_CPREFETCH_SHIM_H
#define MEMESTREAM_CPREFETCH_SHIM_H
#include <stddef.h>

/// Asks the CPU to load the cache lines of `length` bytes at `address` for reading, without
/// waiting for them. A hint only: it never faults and has no visible effect.
static inline void memestream_prefetch(const void *address, size_t length) {
    const char *line = (const char *)address;
    for (size_t offset = 0; offset < length; offset += 64) {
        __builtin_prefetch(line + offset, 0, 3);
    }
}
#endif
