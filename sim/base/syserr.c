/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/syserr.h"

#include <stdio.h>
#include <string.h>

/* With _POSIX_C_SOURCE and no _GNU_SOURCE this is POSIX's strerror_r, which returns a
 * status and fills buf, not glibc's variant that may return a static string instead. */
const char *syserr_text(int code, char *buf, size_t len)
{
    if (strerror_r(code, buf, len) != 0)
        snprintf(buf, len, "error %d", code);
    return buf;
}
