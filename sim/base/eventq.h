/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * eventq — the simulation's pending events, a binary min-heap ordered by (time, insertion).
 *
 * Ties on time pop in the order they were pushed, which makes runs reproducible and lets
 * several timeline events at one instant apply in file order. An event is a small value
 * (kind + index into the owner's tables); the queue never owns what it points to.
 */
#ifndef ROUTERSIM_EVENTQ_H
#define ROUTERSIM_EVENTQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double time;
    uint64_t seq; /* insertion order, assigned by eventq_push */
    int kind;
    int index;
} eventq_event;

typedef struct eventq eventq;

eventq *eventq_new(void);
void eventq_free(eventq *q);

/* Returns 0, or -1 when out of memory. */
int eventq_push(eventq *q, double time, int kind, int index);

/* Earliest event into *out and removed: returns 1, or 0 when the queue is empty. */
int eventq_pop(eventq *q, eventq_event *out);

/* Earliest event without removing it, or NULL when empty. */
const eventq_event *eventq_peek(const eventq *q);

size_t eventq_size(const eventq *q);

#endif
