/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * syserr — the system's text for an errno value, safe on any thread.
 *
 * strerror may return a buffer shared by the whole process (POSIX and glibc call it
 * MT-Unsafe), and replications run on several threads at once, any of which may report a
 * file it cannot read; strerror_r writes into the caller's buffer instead.
 */
#ifndef ROUTERSIM_SYSERR_H
#define ROUTERSIM_SYSERR_H

#include <stddef.h>

#define SYSERR_LEN 128

/* The text for `code` written into buf ("error N" when the system has none); returns buf. */
const char *syserr_text(int code, char *buf, size_t len);

/* The text in a buffer that lives until the end of the enclosing block, for one-line use
 * as a printf argument. */
#define SYSERR(code) syserr_text((code), (char[SYSERR_LEN]){0}, SYSERR_LEN)

#endif
