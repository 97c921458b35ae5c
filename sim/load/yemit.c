/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/yemit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* The text written so far; `failed` once a realloc failed (libyaml is then told so). */
typedef struct {
    char *text;
    size_t len, cap;
    int failed;
} sink;

static int sink_write(void *data, unsigned char *buffer, size_t size)
{
    sink *s = data;
    if (s->len + size + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + size + 1)
            cap *= 2;
        char *text = realloc(s->text, cap);
        if (!text) {
            s->failed = 1;
            return 0;
        }
        s->text = text;
        s->cap = cap;
    }
    memcpy(s->text + s->len, buffer, size);
    s->len += size;
    s->text[s->len] = '\0';
    return 1;
}

/* One scalar: a plain one stays plain (libyaml quotes it only when plain text could not
 * read back as the same string, which a value read from plain text never needs, except an
 * empty one inside flow style: written as `null` there, the same null). A quoted one is
 * double-quoted, so escapes carry any character. */
static yaml_event_t scalar_event(const ydoc_node *n, int in_flow, int *ok)
{
    yaml_event_t ev;
    const char *text = n->value;
    if (n->plain && in_flow && text[0] == '\0')
        text = "null";
    *ok = yaml_scalar_event_initialize(
        &ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), n->plain, 1,
        n->plain ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    return ev;
}

/* The node and everything under it. Depth is bounded by ydoc (YDOC_MAX_DEPTH). */
static int emit_node(yaml_emitter_t *em, const ydoc_node *n, int in_flow)
{
    yaml_event_t ev;
    int ok = 0;
    switch (n->type) {
    case YDOC_SCALAR:
        ev = scalar_event(n, in_flow, &ok);
        return ok && yaml_emitter_emit(em, &ev);
    case YDOC_MAP:
        ok = yaml_mapping_start_event_initialize(
            &ev, NULL, NULL, 1, n->flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
        if (!ok || !yaml_emitter_emit(em, &ev))
            return 0;
        for (size_t i = 0; i < n->n; i++)
            if (!emit_node(em, n->keys[i], in_flow || n->flow) ||
                !emit_node(em, n->items[i], in_flow || n->flow))
                return 0;
        return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
    case YDOC_SEQ:
        ok = yaml_sequence_start_event_initialize(
            &ev, NULL, NULL, 1, n->flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
        if (!ok || !yaml_emitter_emit(em, &ev))
            return 0;
        for (size_t i = 0; i < n->n; i++)
            if (!emit_node(em, n->items[i], in_flow || n->flow))
                return 0;
        return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
    }
    return 0;
}

char *yemit_string(const ydoc *d, char *err, size_t errlen)
{
    yaml_emitter_t em;
    sink s = {0};
    if (!yaml_emitter_initialize(&em)) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    yaml_emitter_set_output(&em, sink_write, &s);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, 100);
    yaml_emitter_set_indent(&em, 2);
    yaml_event_t ev;
    int ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
             yaml_emitter_emit(&em, &ev) &&
             yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
             yaml_emitter_emit(&em, &ev) && emit_node(&em, ydoc_root(d), 0) &&
             yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&em, &ev) &&
             yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev) &&
             yaml_emitter_flush(&em);
    if (!ok) {
        if (s.failed || em.error == YAML_MEMORY_ERROR)
            snprintf(err, errlen, "out of memory");
        else
            snprintf(err, errlen, "%s: cannot write the document as YAML: %s", ydoc_name(d),
                     em.problem ? em.problem : "unknown problem");
        free(s.text);
        s.text = NULL;
    }
    yaml_emitter_delete(&em);
    return s.text;
}

char *yemit_file_set(const char *path, const char *const *sets, size_t n_sets, char *err,
                     size_t errlen)
{
    ydoc *d = ydoc_load_file(path, err, errlen);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n_sets; i++)
        if (ydoc_set(d, sets[i], err, errlen) != 0) {
            ydoc_free(d);
            return NULL;
        }
    char *text = yemit_string(d, err, errlen);
    ydoc_free(d);
    return text;
}
