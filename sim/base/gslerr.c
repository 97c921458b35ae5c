/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/gslerr.h"

#include <gsl/gsl_errno.h>
#include <pthread.h>

static pthread_once_t quieted = PTHREAD_ONCE_INIT;

static void quiet(void)
{
    gsl_set_error_handler_off();
}

void gslerr_quiet(void)
{
    pthread_once(&quieted, quiet);
}
