/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/countpack.h"

#include <string.h>

unsigned countpack_width(const uint64_t *counts, size_t n)
{
    uint64_t max = 0;
    for (size_t k = 0; k < n; k++)
        max = counts[k] > max ? counts[k] : max;
    return max <= UINT8_MAX ? 1 : max <= UINT16_MAX ? 2 : max <= UINT32_MAX ? 4 : 8;
}

void countpack_write(unsigned char *out, unsigned width, const uint64_t *counts, size_t n)
{
    *out++ = (unsigned char)width;
    switch (width) {
    case 1: /* the common case, in a loop the compiler can vectorise */
        for (size_t k = 0; k < n; k++)
            out[k] = (unsigned char)counts[k];
        break;
    case 2:
        for (size_t k = 0; k < n; k++) {
            uint16_t v = (uint16_t)counts[k];
            memcpy(out + 2 * k, &v, 2);
        }
        break;
    case 4:
        for (size_t k = 0; k < n; k++) {
            uint32_t v = (uint32_t)counts[k];
            memcpy(out + 4 * k, &v, 4);
        }
        break;
    default:
        memcpy(out, counts, n * sizeof *counts);
    }
}

unsigned countpack_width_of(const unsigned char *packed)
{
    return packed[0];
}

uint64_t countpack_read(const unsigned char *packed, size_t k)
{
    unsigned width = packed[0];
    const unsigned char *at = packed + 1 + k * width;
    switch (width) {
    case 1:
        return *at;
    case 2: {
        uint16_t v;
        memcpy(&v, at, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, at, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, at, 8);
        return v;
    }
    }
}
