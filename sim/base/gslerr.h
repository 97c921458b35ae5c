/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gslerr — GSL reports its errors as return statuses, never by aborting the process.
 *
 * GSL's error handler is one process-wide pointer, and its default aborts. Swapping it off
 * and back around each call, as a single-threaded program may, is a data race once
 * replications run on several threads: one thread can restore the aborting handler while
 * another is inside a call that fails. So the handler is turned off once for the whole
 * process, before the first GSL call that can fail, and never touched again; every caller
 * checks GSL's statuses (or the `_e` variants' results) itself. Every module that calls
 * such a GSL function calls gslerr_quiet() first: it is cheap after the first call and safe
 * from any number of threads at once.
 */
#ifndef ROUTERSIM_GSLERR_H
#define ROUTERSIM_GSLERR_H

/* Turn GSL's error handler off for the process, exactly once. */
void gslerr_quiet(void);

#endif
