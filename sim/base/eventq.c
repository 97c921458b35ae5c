/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/eventq.h"

#include <stdlib.h>

/* heap[0] is the earliest; every parent precedes its children under (time, seq). */
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
    while (i > 0 && precedes(&moving, &heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = moving;
}

static void sift_down(eventq_event *heap, size_t size, size_t i)
{
    eventq_event moving = heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= size)
            break;
        if (child + 1 < size && precedes(&heap[child + 1], &heap[child]))
            child++;
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
