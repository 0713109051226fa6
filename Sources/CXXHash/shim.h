#ifndef MEMESTREAM_CXXHASH_SHIM_H
#define MEMESTREAM_CXXHASH_SHIM_H
// xxHash from Debian's libxxhash-dev, compiled inline into the caller, so the binary needs no
// xxHash library at run time.
#define XXH_INLINE_ALL
#include <xxhash.h>

/// Computes the 128-bit XXH3 digest of `length` bytes at `data` (seed 0) as two 64-bit halves.
static inline void memestream_xxh3_128(const void *data, size_t length, uint64_t *low, uint64_t *high) {
    XXH128_hash_t digest = XXH3_128bits(data, length);
    *low = digest.low64;
    *high = digest.high64;
}
#endif
