/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/eventq.h"

#include <stdlib.h>

/* heap[0] is the earliest; every parent precedes its children under (time, seq). The heap
 * is 4-ary: half the depth of a binary heap, so a pop moves an event through half the
 * levels (comparing four children at each, in one or two cache lines), which is what a run
 * with many queued sources spends its time on. (time, seq) is a total order, so the events
 * pop in the same order whatever the heap's shape. */
#define ARITY 4
struct eventq {
    eventq_event *heap;
    size_t size;
    size_t capacity;
    uint64_t next_seq;
};

eventq *eventq_new(void)
{
    return calloc(1, sizeof(eventq));
}

void eventq_free(eventq *q)
{
    if (q == NULL)
        return;
    free(q->heap);
    free(q);
}

static int precedes(const eventq_event *a, const eventq_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static int grow(eventq *q)
{
    size_t capacity = q->capacity ? q->capacity * 2 : 64;
    if (capacity > SIZE_MAX / sizeof *q->heap)
        return -1;
    eventq_event *heap = realloc(q->heap, capacity * sizeof *heap);
    if (heap == NULL)
        return -1;
    q->heap = heap;
    q->capacity = capacity;
    return 0;
}

static void sift_up(eventq_event *heap, size_t i)
{
    eventq_event moving = heap[i];
    while (i > 0 && precedes(&moving, &heap[(i - 1) / ARITY])) {
        heap[i] = heap[(i - 1) / ARITY];
        i = (i - 1) / ARITY;
    }
    heap[i] = moving;
}

static void sift_down(eventq_event *heap, size_t size, size_t i)
{
    eventq_event moving = heap[i];
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= size)
            break;
        size_t end = first + ARITY < size ? first + ARITY : size, child = first;
        for (size_t c = first + 1; c < end; c++)
            if (precedes(&heap[c], &heap[child]))
                child = c;
        if (!precedes(&heap[child], &moving))
            break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = moving;
}

int eventq_push(eventq *q, double time, int kind, int index)
{
    if (q->size == q->capacity && grow(q) != 0)
        return -1;
    q->heap[q->size] = (eventq_event){time, q->next_seq++, kind, index};
    sift_up(q->heap, q->size++);
    return 0;
}

int eventq_pop(eventq *q, eventq_event *out)
{
    if (q->size == 0)
        return 0;
    *out = q->heap[0];
    q->heap[0] = q->heap[--q->size];
    if (q->size > 0)
        sift_down(q->heap, q->size, 0);
    return 1;
}

const eventq_event *eventq_peek(const eventq *q)
{
    return q->size > 0 ? &q->heap[0] : NULL;
}

size_t eventq_size(const eventq *q)
{
    return q->size;
}
