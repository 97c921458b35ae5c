/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/ydoc.h"

#include "sim/base/units.h"
#include "sim/base/syserr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define READ_CHUNK (64u << 10) /* first buffer for a file of unknown size */
/* The largest blocks, 96 and 64 KiB: below malloc's mmap threshold, so that the memory of a
 * document freed after loading is reused by what runs next, not faulted in again. */
#define NODE_BLOCK_MAX 2048 /* nodes */
#define BYTE_BLOCK_MAX (64u << 10)
#define HASH_FROM 8 /* a mapping's duplicate keys are found by hashing from this many pairs */

/* The document's memory, freed with it all at once (no node, text or child array of a tree
 * is ever freed alone): nodes in blocks of nodes, and scalar texts and child arrays in
 * blocks of bytes. Blocks grow from small (a --set value is a document too) to a cap. */
typedef struct node_block {
    struct node_block *next;
    size_t used, cap;
    ydoc_node nodes[];
} node_block;

typedef struct byte_block {
    struct byte_block *next;
    size_t used, cap;
    char bytes[]; /* at offset 24: pointer-aligned */
} byte_block;

struct ydoc {
    char *name;
    ydoc_node *root;
    node_block *nodes; /* the block being filled first */
    byte_block *bytes;
    char **overrides; /* ydoc_set's texts, in order */
    size_t n_overrides;
};

/* An open mapping or sequence; `key` is a mapping's key still waiting for its value.
 * Its children so far are the builder's pending[base..] (a mapping's as key, value, key,
 * ...), moved into arrays of their exact size when it closes. `hashed`: a mapping's keys
 * are in the builder's key set (it has HASH_FROM pairs or more).
 * `anchor` is its anchor (defined once it is complete, so no alias can point into itself);
 * `first` is the expanded node count when it opened and `reach` the deepest level its
 * content reaches, so that its size and height are known when it closes. */
typedef struct {
    ydoc_node *node;
    ydoc_node *key;
    size_t base;
    int hashed;
    char *anchor;
    size_t first;
    size_t reach;
} frame;

/* A completed anchored node: what an alias to it repeats, how many nodes that is once
 * expanded and how many levels it is deep. */
typedef struct {
    char *name;
    ydoc_node *node;
    size_t size;
    size_t height;
} anchor;

/* Anchors by name, open addressing; cap is a power of two and at least twice n. A name
 * defined again refers to its latest node from then on, as YAML says. */
typedef struct {
    anchor *slots;
    size_t n, cap;
} anchor_set;

/* The keys of every large mapping of the document, so that a duplicate is found when it
 * is read, in O(1), however large the mapping (a small one's few keys are compared one by
 * one). Open addressing; cap is a power of two and at least twice n. */
typedef struct {
    const ydoc_node *map;
    const ydoc_node *key;
} key_slot;

typedef struct {
    key_slot *slots;
    size_t n, cap;
} key_set;

typedef struct {
    ydoc *doc;
    const char *text;
    size_t len;
    char *err;
    size_t errlen;
    frame stack[YDOC_MAX_DEPTH];
    size_t depth;
    ydoc_node **pending; /* children of the open collections, innermost last */
    size_t n_pending, cap_pending;
    int documents;
    key_set keys;
    anchor_set anchors;
    size_t expanded; /* nodes, counting every alias as the nodes it repeats */
} builder;

static int fail_at(builder *b, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(builder *b, int line, int column, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(b->err, b->errlen, "%s:%d:%d: %s", b->doc->name, line, column, msg);
    return -1;
}

/* 1-based line and column of byte `offset`, counting columns in characters as libyaml's
 * marks do (UTF-8 continuation bytes do not start a character). */
static void position_of(const char *text, size_t offset, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || (c == '\r' && (i + 1 >= offset || text[i + 1] != '\n'))) {
            (*line)++;
            *column = 1;
        } else if ((c & 0xC0) != 0x80) {
            (*column)++;
        }
    }
}

/* ---- the key set ---------------------------------------------------------------------- */

static size_t key_hash(const ydoc_node *map, const char *key)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)(uintptr_t)map;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return (size_t)(h ^ (h >> 29));
}

/* The slot holding `key` of `map`, or the empty slot where it belongs. */
static key_slot *key_find(const key_set *set, const ydoc_node *map, const char *key)
{
    size_t mask = set->cap - 1;
    for (size_t i = key_hash(map, key) & mask;; i = (i + 1) & mask) {
        key_slot *slot = &set->slots[i];
        if (!slot->map || (slot->map == map && strcmp(slot->key->value, key) == 0))
            return slot;
    }
}

static int key_set_grow(key_set *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    key_set bigger = {calloc(cap, sizeof(key_slot)), 0, cap};
    if (!bigger.slots)
        return -1;
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i].map)
            *key_find(&bigger, set->slots[i].map, set->slots[i].key->value) = set->slots[i];
    bigger.n = set->n;
    free(set->slots);
    *set = bigger;
    return 0;
}

/* Record `key` in `map`. Returns the key it duplicates, `key` itself when it is new, or
 * NULL when out of memory. */
static const ydoc_node *key_add(key_set *set, const ydoc_node *map, const ydoc_node *key)
{
    if (2 * (set->n + 1) > set->cap && key_set_grow(set) != 0)
        return NULL;
    key_slot *slot = key_find(set, map, key->value);
    if (slot->map)
        return slot->key;
    *slot = (key_slot){map, key};
    set->n++;
    return key;
}

/* ---- anchors ------------------------------------------------------------------------- */

static anchor *anchor_find(const anchor_set *set, const char *name)
{
    size_t mask = set->cap - 1;
    for (size_t i = key_hash(NULL, name) & mask;; i = (i + 1) & mask)
        if (!set->slots[i].name || strcmp(set->slots[i].name, name) == 0)
            return &set->slots[i];
}

static const anchor *anchor_get(const anchor_set *set, const char *name)
{
    if (set->cap == 0)
        return NULL;
    const anchor *a = anchor_find(set, name);
    return a->name ? a : NULL;
}

/* Define (or redefine) an anchor; takes `name`. Returns 0, or -1 when out of memory. */
static int anchor_put(anchor_set *set, char *name, ydoc_node *node, size_t size, size_t height)
{
    if (2 * (set->n + 1) > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        anchor_set bigger = {calloc(cap, sizeof(anchor)), set->n, cap};
        if (!bigger.slots) {
            free(name);
            return -1;
        }
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i].name)
                *anchor_find(&bigger, set->slots[i].name) = set->slots[i];
        free(set->slots);
        *set = bigger;
    }
    anchor *a = anchor_find(set, name);
    if (a->name)
        free(a->name);
    else
        set->n++;
    *a = (anchor){name, node, size, height};
    return 0;
}

static void anchor_set_free(anchor_set *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i].name);
    free(set->slots);
}

/* ---- the document's memory -------------------------------------------------------------- */

/* A zeroed node of the document, or NULL when out of memory. */
static ydoc_node *alloc_node(ydoc *d)
{
    node_block *b = d->nodes;
    if (!b || b->used == b->cap) {
        size_t cap = !b ? 16 : b->cap < NODE_BLOCK_MAX ? 2 * b->cap : NODE_BLOCK_MAX;
        if (!(b = malloc(sizeof *b + cap * sizeof b->nodes[0])))
            return NULL;
        *b = (node_block){d->nodes, 0, cap};
        d->nodes = b;
    }
    ydoc_node *node = &b->nodes[b->used++];
    memset(node, 0, sizeof *node);
    return node;
}

/* size bytes of the document, pointer-aligned, or NULL when out of memory. */
static void *alloc_bytes(ydoc *d, size_t size)
{
    const size_t align = sizeof(void *);
    size = (size + align - 1) & ~(align - 1);
    byte_block *b = d->bytes;
    if (!b || b->cap - b->used < size) {
        size_t cap = !b ? 512 : b->cap < BYTE_BLOCK_MAX ? 2 * b->cap : BYTE_BLOCK_MAX;
        if (cap < size)
            cap = size;
        if (!(b = malloc(sizeof *b + cap)))
            return NULL;
        *b = (byte_block){d->bytes, 0, cap};
        d->bytes = b;
    }
    void *at = b->bytes + b->used;
    b->used += size;
    return at;
}

static char *copy_text(ydoc *d, const char *text, size_t len)
{
    char *copy = alloc_bytes(d, len + 1);
    if (copy) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

/* A scalar's text: in the node when it fits, else among the document's bytes. Returns 0, or
 * -1 when out of memory. */
static int set_text(ydoc *d, ydoc_node *node, const char *text, size_t len)
{
    if (len < sizeof node->text) {
        memcpy(node->text, text, len);
        node->text[len] = '\0';
        node->value = node->text;
        return 0;
    }
    node->value = copy_text(d, text, len);
    return node->value ? 0 : -1;
}

/* An array of the document holding n children copied from `from` and room for `extra` more,
 * or NULL (also when it would be empty). */
static ydoc_node **copy_children(ydoc *d, ydoc_node *const *from, size_t n, size_t extra)
{
    ydoc_node **to = n + extra ? alloc_bytes(d, (n + extra) * sizeof *to) : NULL;
    if (to && n)
        memcpy(to, from, n * sizeof *to);
    return to;
}

/* Another document's blocks become d's, behind d's first ones (those being filled). */
static void take_blocks(ydoc *d, ydoc *other)
{
    node_block *nodes = other->nodes;
    if (nodes) {
        node_block *tail = nodes;
        while (tail->next)
            tail = tail->next;
        tail->next = d->nodes ? d->nodes->next : NULL;
        if (d->nodes)
            d->nodes->next = nodes;
        else
            d->nodes = nodes;
    }
    byte_block *bytes = other->bytes;
    if (bytes) {
        byte_block *tail = bytes;
        while (tail->next)
            tail = tail->next;
        tail->next = d->bytes ? d->bytes->next : NULL;
        if (d->bytes)
            d->bytes->next = bytes;
        else
            d->bytes = bytes;
    }
    other->nodes = NULL;
    other->bytes = NULL;
}

/* ---- nodes ---------------------------------------------------------------------------- */

static ydoc_node *node_new(builder *b, ydoc_type type, yaml_mark_t mark)
{
    int line = (int)mark.line + 1, column = (int)mark.column + 1;
    if (b->expanded >= YDOC_MAX_NODES) {
        fail_at(b, line, column, "expected at most %d YAML nodes in a scenario, got more",
                YDOC_MAX_NODES);
        return NULL;
    }
    ydoc_node *node = alloc_node(b->doc);
    if (!node) {
        fail_at(b, line, column, "out of memory");
        return NULL;
    }
    node->type = type;
    node->line = line;
    node->column = column;
    b->expanded++;
    return node;
}

/* A child of the innermost open collection, kept until it closes. */
static int push_pending(builder *b, ydoc_node *node)
{
    if (b->n_pending == b->cap_pending) {
        size_t cap = b->cap_pending ? 2 * b->cap_pending : 256;
        ydoc_node **grown = realloc(b->pending, cap * sizeof *grown);
        if (!grown)
            return -1;
        b->pending = grown;
        b->cap_pending = cap;
    }
    b->pending[b->n_pending++] = node;
    return 0;
}

/* ---- building the tree from events ----------------------------------------------------- */

/* The key of the open mapping `top` that `key` repeats, or `key` itself when it is new, or
 * NULL when out of memory. A mapping's keys move into the key set once it has HASH_FROM
 * pairs; before, they are compared one by one. */
static const ydoc_node *new_key(builder *b, frame *top, const ydoc_node *key)
{
    ydoc_node *const *pairs = b->pending + top->base;
    size_t n = (b->n_pending - top->base) / 2;
    if (!top->hashed && n >= HASH_FROM) {
        for (size_t i = 0; i < n; i++)
            if (!key_add(&b->keys, top->node, pairs[2 * i]))
                return NULL;
        top->hashed = 1;
    }
    if (top->hashed)
        return key_add(&b->keys, top->node, key);
    for (size_t i = 0; i < n; i++)
        if (strcmp(pairs[2 * i]->value, key->value) == 0)
            return pairs[2 * i];
    return key;
}

static int add_key(builder *b, frame *top, ydoc_node *key)
{
    char q[UNITS_QUOTE_BUF];
    if (key->type != YDOC_SCALAR)
        return fail_at(b, key->line, key->column,
                       "expected a plain text key in this mapping, got a %s as a key",
                       ydoc_type_name(key->type));
    const ydoc_node *first = new_key(b, top, key);
    if (!first || (first == key && push_pending(b, key) != 0))
        return fail_at(b, key->line, key->column, "out of memory");
    if (first != key)
        return fail_at(b, key->line, key->column,
                       "duplicate key \"%s\" (first at line %d, column %d)",
                       units_quote(key->value, q, sizeof q), first->line, first->column);
    top->key = key;
    return 0;
}

/* Hang a new node under the innermost open collection (or make it the root). */
static int attach(builder *b, ydoc_node *node)
{
    if (b->depth == 0) {
        b->doc->root = node;
        return 0;
    }
    frame *top = &b->stack[b->depth - 1];
    if (top->node->type == YDOC_MAP && !top->key)
        return add_key(b, top, node);
    if (push_pending(b, node) != 0)
        return fail_at(b, node->line, node->column, "out of memory");
    top->key = NULL;
    return 0;
}

static int fail_event(builder *b, const yaml_event_t *ev, const char *fmt, const char *name)
{
    char q[UNITS_QUOTE_BUF];
    return fail_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, fmt,
                   units_quote(name, q, sizeof q));
}

/* A copy of an anchor's name, kept until its node is complete. */
static int keep_anchor(builder *b, const yaml_event_t *ev, const yaml_char_t *name, char **out)
{
    *out = NULL;
    if (name && !(*out = strdup((const char *)name)))
        return fail_event(b, ev, "out of memory at anchor &%s", (const char *)name);
    return 0;
}

static int define_anchor(builder *b, char *name, ydoc_node *node, size_t size, size_t height)
{
    if (name && anchor_put(&b->anchors, name, node, size, height) != 0)
        return fail_at(b, node->line, node->column, "out of memory");
    return 0;
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    ydoc_node *node = node_new(b, YDOC_SCALAR, ev->start_mark);
    if (!node)
        return -1;
    if (memchr(text, '\0', len))
        return fail_at(b, node->line, node->column,
                       "expected text, got a NUL character (\\0) inside this scalar");
    if (set_text(b->doc, node, text, len) != 0)
        return fail_at(b, node->line, node->column, "out of memory");
    node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (attach(b, node) != 0)
        return -1;
    char *name;
    if (keep_anchor(b, ev, ev->data.scalar.anchor, &name) != 0)
        return -1;
    return define_anchor(b, name, node, 1, 0);
}

static int on_collection_start(builder *b, const yaml_event_t *ev)
{
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    const yaml_char_t *anchor_name =
        is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    ydoc_node *node = node_new(b, is_map ? YDOC_MAP : YDOC_SEQ, ev->start_mark);
    if (!node)
        return -1;
    node->flow = is_map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                        : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    if (attach(b, node) != 0)
        return -1;
    if (b->depth == YDOC_MAX_DEPTH)
        return fail_at(b, node->line, node->column,
                       "expected at most %d levels of nesting, got more", YDOC_MAX_DEPTH);
    frame f = {node, NULL, b->n_pending, 0, NULL, b->expanded - 1, b->depth + 1};
    if (keep_anchor(b, ev, anchor_name, &f.anchor) != 0)
        return -1;
    b->stack[b->depth++] = f;
    return 0;
}

/* An alias repeats its anchor's node where it stands (the tree shares it). What it repeats
 * counts against the node limit as if written out, and its depth against the nesting limit,
 * so an alias bomb is refused as soon as its expansion would pass them. */
static int on_alias(builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const anchor *a = anchor_get(&b->anchors, name);
    if (!a) {
        for (size_t i = 0; i < b->depth; i++)
            if (b->stack[i].anchor && strcmp(b->stack[i].anchor, name) == 0)
                return fail_event(b, ev,
                                  "alias *%s inside the node it names: expected an "
                                  "alias to a complete node",
                                  name);
        return fail_event(b, ev, "alias *%s: expected an anchor of that name defined before it",
                          name);
    }
    if (a->size > YDOC_MAX_NODES - b->expanded)
        return fail_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                       "expected at most %d YAML nodes in a scenario, counting what aliases "
                       "repeat, got more",
                       YDOC_MAX_NODES);
    if (b->depth + a->height > YDOC_MAX_DEPTH)
        return fail_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                       "expected at most %d levels of nesting, counting what aliases repeat, "
                       "got more",
                       YDOC_MAX_DEPTH);
    b->expanded += a->size;
    if (b->depth > 0 && b->depth + a->height > b->stack[b->depth - 1].reach)
        b->stack[b->depth - 1].reach = b->depth + a->height;
    return attach(b, a->node);
}

static int is_merge_key(const ydoc_node *key)
{
    return key->plain && strcmp(key->value, "<<") == 0;
}

/* Keys a mapping being merged into has: its own as written (`<<` too), then those merged
 * so far (keys[own..n)), compared one by one, or all in the key set when `hashed`. */
typedef struct {
    ydoc_node *map;
    int hashed;
    ydoc_node **keys;
    size_t own, n;
} merge_target;

static int merged_already(const builder *b, const merge_target *t, const char *key)
{
    if (t->hashed)
        return key_find(&b->keys, t->map, key)->map != NULL;
    for (size_t i = 0; i < t->map->n; i++)
        if (strcmp(t->map->keys[i]->value, key) == 0)
            return 1;
    for (size_t i = t->own; i < t->n; i++)
        if (strcmp(t->keys[i]->value, key) == 0)
            return 1;
    return 0;
}

/* Append merge source `from`'s pairs to keys/items, skipping keys `map` already has. */
static int merge_from(builder *b, merge_target *t, const ydoc_node *from, ydoc_node **items)
{
    if (from->type != YDOC_MAP)
        return fail_at(b, from->line, from->column,
                       "expected a mapping or a sequence of mappings to merge (<<), got a %s",
                       ydoc_type_name(from->type));
    for (size_t i = 0; i < from->n; i++) {
        if (merged_already(b, t, from->keys[i]->value))
            continue;
        if (t->hashed && !key_add(&b->keys, t->map, from->keys[i]))
            return fail_at(b, t->map->line, t->map->column, "out of memory");
        t->keys[t->n] = from->keys[i];
        items[t->n++] = from->items[i];
    }
    return 0;
}

/*
 * YAML merge keys: `<<: *base` (or `<<: [*a, *b]`) adds the pairs of the merged mappings
 * whose keys this mapping does not set itself; with several, the first listed wins. Done
 * when the mapping closes, so its own keys win wherever they are written. The merged
 * values keep their positions, where they were written.
 */
static int merge_keys(builder *b, ydoc_node *map, int hashed)
{
    size_t own = 0, room = 0;
    for (size_t i = 0; i < map->n; i++) {
        if (!is_merge_key(map->keys[i])) {
            own++;
            continue;
        }
        const ydoc_node *v = map->items[i];
        if (v->type == YDOC_SEQ)
            for (size_t j = 0; j < v->n; j++)
                room += v->items[j]->type == YDOC_MAP ? v->items[j]->n : 0;
        else if (v->type == YDOC_MAP)
            room += v->n;
    }
    if (own == map->n)
        return 0;
    merge_target t = {map, hashed, copy_children(b->doc, NULL, 0, own + room), own, 0};
    ydoc_node **items = copy_children(b->doc, NULL, 0, own + room);
    if (own + room > 0 && (!t.keys || !items))
        return fail_at(b, map->line, map->column, "out of memory");
    if (!t.hashed && map->n + room >= HASH_FROM) {
        for (size_t i = 0; i < map->n; i++)
            if (!key_add(&b->keys, map, map->keys[i]))
                return fail_at(b, map->line, map->column, "out of memory");
        t.hashed = 1;
    }
    for (size_t i = 0; i < map->n; i++) {
        if (!is_merge_key(map->keys[i])) {
            t.keys[t.n] = map->keys[i];
            items[t.n++] = map->items[i];
        }
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < map->n; i++) {
        const ydoc_node *v = map->items[i];
        if (!is_merge_key(map->keys[i]))
            continue;
        if (v->type == YDOC_SEQ)
            for (size_t j = 0; rc == 0 && j < v->n; j++)
                rc = merge_from(b, &t, v->items[j], items);
        else
            rc = merge_from(b, &t, v, items);
    }
    if (rc != 0)
        return -1;
    map->keys = t.keys;
    map->items = items;
    map->n = t.n;
    return 0;
}

/* A closing collection's children, from the pending ones into arrays of their own. */
static int take_children(builder *b, const frame *f)
{
    ydoc_node *node = f->node;
    ydoc_node **from = b->pending + f->base;
    size_t count = b->n_pending - f->base;
    b->n_pending = f->base;
    if (node->type == YDOC_SEQ) {
        node->n = count;
        node->items = copy_children(b->doc, from, count, 0);
        return count && !node->items ? -1 : 0;
    }
    node->n = count / 2;
    node->keys = copy_children(b->doc, NULL, 0, node->n);
    node->items = copy_children(b->doc, NULL, 0, node->n);
    if (node->n && (!node->keys || !node->items))
        return -1;
    for (size_t i = 0; i < node->n; i++) {
        node->keys[i] = from[2 * i];
        node->items[i] = from[2 * i + 1];
    }
    return 0;
}

static int on_collection_end(builder *b)
{
    frame f = b->stack[--b->depth];
    if (b->depth > 0 && f.reach > b->stack[b->depth - 1].reach)
        b->stack[b->depth - 1].reach = f.reach;
    if (take_children(b, &f) != 0) {
        free(f.anchor);
        return fail_at(b, f.node->line, f.node->column, "out of memory");
    }
    if (f.node->type == YDOC_MAP && merge_keys(b, f.node, f.hashed) != 0) {
        free(f.anchor);
        return -1;
    }
    return define_anchor(b, f.anchor, f.node, b->expanded - f.first, f.reach - b->depth);
}

static int on_document_start(builder *b, const yaml_event_t *ev)
{
    if (b->documents++ == 0)
        return 0;
    return fail_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                   "expected one YAML document, got a second one (one scenario per file)");
}

static int on_event(builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        return on_document_start(b, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(b, ev);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_collection_end(b);
    default:
        return 0;
    }
}

/* The most common YAML slip gets a hint: a tab where libyaml expects indentation. Marks
 * count characters, so the byte is found by counting UTF-8 lead bytes. */
static const char *tab_hint(const builder *b, yaml_mark_t mark)
{
    size_t chars = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (((unsigned char)b->text[i] & 0xC0) == 0x80)
            continue;
        if (chars++ == mark.index)
            return b->text[i] == '\t' ? "; indent YAML with spaces, not tabs" : "";
    }
    return "";
}

/* libyaml's own refusal. Reader errors (bad UTF-8, control characters) carry a byte
 * offset instead of a mark. */
static int fail_parser(builder *b, const yaml_parser_t *p)
{
    int line, column;
    if (p->error == YAML_MEMORY_ERROR)
        return fail_at(b, 1, 1, "out of memory");
    if (p->error == YAML_READER_ERROR) {
        position_of(b->text, p->problem_offset < b->len ? p->problem_offset : b->len, &line,
                    &column);
        if (p->problem_value >= 0)
            return fail_at(b, line, column, "expected UTF-8 text: %s (#x%X)", p->problem,
                           (unsigned)p->problem_value);
        return fail_at(b, line, column, "expected UTF-8 text: %s", p->problem);
    }
    line = (int)p->problem_mark.line + 1;
    column = (int)p->problem_mark.column + 1;
    const char *hint = tab_hint(b, p->problem_mark);
    if (p->context)
        return fail_at(b, line, column, "%s (%s that starts at line %d, column %d)%s", p->problem,
                       p->context, (int)p->context_mark.line + 1, (int)p->context_mark.column + 1,
                       hint);
    return fail_at(b, line, column, "%s%s", p->problem ? p->problem : "invalid YAML", hint);
}

/* A document with nothing in it is almost always the wrong file; the whole file is to
 * blame, so the error points at its start. */
static int check_not_empty(builder *b)
{
    const ydoc_node *root = b->doc->root;
    if (!root || ydoc_is_null(root))
        return fail_at(b, 1, 1, "empty scenario: expected a mapping");
    return 0;
}

static int build(builder *b)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return fail_at(b, 1, 1, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)b->text, b->len);
    int status = 0, done = 0;
    while (status == 0 && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            status = fail_parser(b, &parser);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        status = on_event(b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return status == 0 ? check_not_empty(b) : -1;
}

/* Binary data is refused before libyaml sees it: a NUL is never YAML text. */
static int check_text(builder *b)
{
    const char *nul = memchr(b->text, '\0', b->len);
    if (!nul)
        return 0;
    int line, column;
    position_of(b->text, (size_t)(nul - b->text), &line, &column);
    return fail_at(b, line, column, "expected UTF-8 text, got a NUL byte (binary data?)");
}

static void fail_whole(char *err, size_t errlen, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An error about the file as a whole, where no line or column applies. */
static void fail_whole(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", name, msg);
}

ydoc *ydoc_load_string(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    if (len > YDOC_MAX_BYTES) {
        fail_whole(err, errlen, name, "expected a file of at most %u bytes (8 MiB), got %zu",
                   YDOC_MAX_BYTES, len);
        return NULL;
    }
    builder b = {.text = text, .len = len, .err = err, .errlen = errlen};
    b.doc = calloc(1, sizeof *b.doc);
    if (!b.doc || !(b.doc->name = strdup(name))) {
        free(b.doc);
        fail_whole(err, errlen, name, "out of memory");
        return NULL;
    }
    int status = check_text(&b) == 0 ? build(&b) : -1;
    free(b.pending);
    free(b.keys.slots);
    anchor_set_free(&b.anchors);
    for (size_t i = 0; i < b.depth; i++) /* left open by an error */
        free(b.stack[i].anchor);
    if (status == 0)
        return b.doc;
    ydoc_free(b.doc);
    return NULL;
}

/* Why a file could not be read, if it could not. */
typedef enum { READ_OK, READ_ERRNO, READ_TOO_LARGE, READ_DIRECTORY } read_status;

/* Read a whole stream of at most YDOC_MAX_BYTES; `hint` is its expected size (0 when
 * unknown, as for a pipe). */
static read_status read_all(FILE *f, size_t hint, char **out, size_t *len)
{
    size_t cap = hint ? hint + 1 : READ_CHUNK, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (ferror(f) || n > YDOC_MAX_BYTES)
            break;
        if (n < cap) {
            *out = buf;
            *len = n;
            return READ_OK;
        }
        cap = cap * 2 > YDOC_MAX_BYTES + 1u ? YDOC_MAX_BYTES + 1u : cap * 2;
        char *grown = realloc(buf, cap);
        if (!grown)
            break;
        buf = grown;
    }
    read_status status = buf && n > YDOC_MAX_BYTES ? READ_TOO_LARGE : READ_ERRNO;
    free(buf);
    return status;
}

/* A regular file's size is checked before anything is read. */
static read_status read_stream(FILE *f, char **out, size_t *len)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        return READ_ERRNO;
    if (S_ISDIR(st.st_mode))
        return READ_DIRECTORY;
    if (S_ISREG(st.st_mode) && st.st_size > (off_t)YDOC_MAX_BYTES)
        return READ_TOO_LARGE;
    return read_all(f, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, out, len);
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    char *text = NULL;
    FILE *f = fopen(path, "rb");
    read_status status = f ? read_stream(f, &text, len) : READ_ERRNO;
    int saved_errno = errno;
    if (f)
        fclose(f);
    if (status == READ_ERRNO)
        fail_whole(err, errlen, path, "cannot read: %s", SYSERR(saved_errno));
    else if (status == READ_TOO_LARGE)
        fail_whole(err, errlen, path, "expected a file of at most %u bytes (8 MiB), got more",
                   YDOC_MAX_BYTES);
    else if (status == READ_DIRECTORY)
        fail_whole(err, errlen, path, "expected a YAML file, got a directory");
    return text;
}

ydoc *ydoc_load_file(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = read_file(path, &len, err, errlen);
    if (!text)
        return NULL;
    ydoc *doc = ydoc_load_string(text, len, path, err, errlen);
    free(text);
    return doc;
}

void ydoc_drop_tree(ydoc *d)
{
    while (d->nodes) {
        node_block *next = d->nodes->next;
        free(d->nodes);
        d->nodes = next;
    }
    while (d->bytes) {
        byte_block *next = d->bytes->next;
        free(d->bytes);
        d->bytes = next;
    }
    d->root = NULL;
}

void ydoc_free(ydoc *d)
{
    if (!d)
        return;
    ydoc_drop_tree(d);
    for (size_t i = 0; i < d->n_overrides; i++)
        free(d->overrides[i]);
    free(d->overrides);
    free(d->name);
    free(d);
}

/* ---- overrides ------------------------------------------------------------------------- */

typedef struct {
    ydoc *doc;
    const char *text; /* the override, "key.path=value" */
    int line;         /* YDOC_OVERRIDE_LINE of it */
    char *err;
    size_t errlen;
} setter;

static int set_fail(const setter *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int set_fail(const setter *s, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(s->err, s->errlen, "%s: --set %s: %s", s->doc->name, s->text, msg);
    return -1;
}

/* A node of the override's own, at `column` of its text. */
static ydoc_node *set_node(const setter *s, ydoc_type type, const char *value, int column)
{
    ydoc_node *node = alloc_node(s->doc);
    if (!node)
        return NULL;
    node->type = type;
    node->line = s->line;
    node->column = column;
    node->plain = 1;
    if (value && set_text(s->doc, node, value, strlen(value)) != 0)
        return NULL;
    return node;
}

/* A shallow copy of a mapping or sequence, so that changing it changes no alias. */
static ydoc_node *set_copy(const setter *s, const ydoc_node *from)
{
    ydoc_node *node = alloc_node(s->doc);
    if (!node)
        return NULL;
    *node = *from;
    node->value = NULL;
    node->keys = copy_children(s->doc, from->keys, from->type == YDOC_MAP ? from->n : 0, 0);
    node->items = copy_children(s->doc, from->items, from->n, 0);
    if (from->n && (!node->items || (from->type == YDOC_MAP && !node->keys)))
        return NULL;
    return node;
}

/* The value text as YAML nodes of this document, placed at the override's line. */
static ydoc_node *set_value(const setter *s, const char *text, int column)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (strcmp(text, nulls[i]) == 0)
            return set_node(s, YDOC_SCALAR, text, column);
    char why[512];
    ydoc *value = ydoc_load_string(text, strlen(text), "", why, sizeof why);
    if (!value) {
        char *msg = why; /* ":LINE:COL: problem (context at a line of the value)" */
        for (int colons = 0; *msg && colons < 3; msg++)
            colons += *msg == ':';
        msg += strspn(msg, " ");
        size_t len = strcspn(msg, "(");
        while (len > 0 && msg[len - 1] == ' ')
            len--;
        msg[len] = '\0';
        set_fail(s, "expected a YAML value after '=': %s", msg);
        return NULL;
    }
    for (node_block *blk = value->nodes; blk; blk = blk->next)
        for (size_t i = 0; i < blk->used; i++) {
            ydoc_node *node = &blk->nodes[i];
            node->column = node->line == 1 ? column + node->column - 1 : column;
            node->line = s->line;
        }
    /* The value's nodes and texts become the document's. */
    ydoc_node *root = value->root;
    take_blocks(s->doc, value);
    ydoc_free(value);
    return root;
}

static const char *position(const ydoc_node *node, char *buf, size_t size)
{
    if (node->line > 0)
        snprintf(buf, size, " at line %d, column %d", node->line, node->column);
    else
        buf[0] = '\0';
    return buf;
}

/* Where `segment` leads from a mapping or sequence: an index into its items, or -1 after
 * an error. A mapping without the key gets it (as a mapping when more path follows). */
static long set_step(const setter *s, ydoc_node *node, const char *segment, int column, int last)
{
    char q[UNITS_QUOTE_BUF], at[64];
    if (node->type == YDOC_MAP) {
        for (size_t i = 0; i < node->n; i++)
            if (strcmp(node->keys[i]->value, segment) == 0)
                return (long)i;
        ydoc_node *key = set_node(s, YDOC_SCALAR, segment, column);
        ydoc_node *value = last ? key : set_node(s, YDOC_MAP, NULL, column);
        ydoc_node **keys = copy_children(s->doc, node->keys, node->n, 1);
        ydoc_node **items = copy_children(s->doc, node->items, node->n, 1);
        if (!key || !value || !keys || !items)
            return set_fail(s, "out of memory");
        node->keys = keys;
        node->items = items;
        node->keys[node->n] = key;
        node->items[node->n] = value; /* a placeholder when last: the caller sets it */
        return (long)node->n++;
    }
    if (node->type == YDOC_SEQ) {
        char *end;
        errno = 0;
        unsigned long long index = strtoull(segment, &end, 10);
        if (*segment >= '0' && *segment <= '9' && *end == '\0' && errno == 0) {
            if (index < node->n)
                return (long)index;
            return set_fail(s, "expected an index below %u for the sequence%s, got %s",
                            (unsigned)node->n, position(node, at, sizeof at), segment);
        }
        for (size_t i = 0; i < node->n; i++) {
            const ydoc_node *id = ydoc_get(node->items[i], "id");
            if (id && id->type == YDOC_SCALAR && strcmp(id->value, segment) == 0)
                return (long)i;
        }
        return set_fail(s, "expected an index or the id of an item of the sequence%s, got \"%s\"",
                        position(node, at, sizeof at), units_quote(segment, q, sizeof q));
    }
    return set_fail(s, "expected a mapping or a sequence before \"%s\", got a scalar%s",
                    units_quote(segment, q, sizeof q), position(node, at, sizeof at));
}

int ydoc_set(ydoc *d, const char *assignment, char *err, size_t errlen)
{
    setter s = {d, assignment, YDOC_OVERRIDE_LINE(d->n_overrides), err, errlen};
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return set_fail(&s, "expected key.path=value");
    char **grown = realloc(d->overrides, (d->n_overrides + 1) * sizeof *grown);
    if (!grown)
        return set_fail(&s, "out of memory");
    d->overrides = grown;
    if (!(d->overrides[d->n_overrides] = strdup(assignment)))
        return set_fail(&s, "out of memory");
    d->n_overrides++;

    ydoc_node *value = set_value(&s, eq + 1, (int)(eq - assignment) + 2);
    if (!value)
        return -1;
    ydoc_node *node = d->root;
    const char *segment = assignment;
    while (segment < eq) {
        const char *dot = memchr(segment, '.', (size_t)(eq - segment));
        const char *stop = dot ? dot : eq;
        char name[256];
        if (stop == segment || (size_t)(stop - segment) >= sizeof name)
            return set_fail(&s, "expected a key between the dots of the path");
        memcpy(name, segment, (size_t)(stop - segment));
        name[stop - segment] = '\0';
        int last = stop == eq;
        long i = set_step(&s, node, name, (int)(segment - assignment) + 1, last);
        if (i < 0)
            return -1;
        if (last) {
            node->items[i] = value;
            return 0;
        }
        ydoc_node *child = node->items[i];
        if (child->type != YDOC_SCALAR && !(child = set_copy(&s, child)))
            return set_fail(&s, "out of memory");
        node->items[i] = child;
        node = child;
        segment = stop + 1;
    }
    return set_fail(&s, "expected a key before '='");
}

const char *ydoc_override(const ydoc *d, int line)
{
    size_t k = (size_t)(-1 - (long)line);
    return line < 0 && k < d->n_overrides ? d->overrides[k] : NULL;
}

const ydoc_node *ydoc_root(const ydoc *d)
{
    return d->root;
}

const char *ydoc_name(const ydoc *d)
{
    return d->name;
}

const ydoc_node *ydoc_get(const ydoc_node *map, const char *key)
{
    if (!map || map->type != YDOC_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->value, key) == 0)
            return map->items[i];
    return NULL;
}

int ydoc_is_null(const ydoc_node *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (node->type != YDOC_SCALAR || !node->plain)
        return 0;
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (strcmp(node->value, nulls[i]) == 0)
            return 1;
    return 0;
}

const char *ydoc_type_name(ydoc_type t)
{
    switch (t) {
    case YDOC_SCALAR:
        return "scalar";
    case YDOC_MAP:
        return "mapping";
    case YDOC_SEQ:
        return "sequence";
    }
    return "unknown";
}
