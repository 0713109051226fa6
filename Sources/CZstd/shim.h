#ifndef MEMESTREAM_CZSTD_SHIM_H
#define MEMESTREAM_CZSTD_SHIM_H
#include <zstd.h>
#endif
