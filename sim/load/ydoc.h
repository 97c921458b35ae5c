/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ydoc — a YAML document read into a small tree that remembers where every node was.
 *
 * Scenario files are written by people, so every error must say file:line:column. libyaml
 * parses; this module builds the tree from its events and refuses what would make a naive
 * walker crash, hang or grow without bound: nesting deeper than YDOC_MAX_DEPTH, more than
 * YDOC_MAX_NODES nodes, files over YDOC_MAX_BYTES, duplicate mapping keys, non-scalar keys,
 * several documents, and an empty stream.
 *
 * Anchors (&a), aliases (*a) and merge keys (<<: *a) let a scenario reuse a block: an alias
 * shares its anchor's node in the tree (so the tree may be a DAG; treat it as read-only),
 * and counts against both limits as if it were written out, so an alias bomb is refused as
 * soon as its expansion would pass them. A merge key is resolved when its mapping closes:
 * the mapping gets the merged pairs whose keys it does not set itself.
 * Scalars stay text: the caller parses numbers and units (see units.h).
 */
#ifndef ROUTERSIM_YDOC_H
#define ROUTERSIM_YDOC_H

#include <stddef.h>
#include <stdint.h>

#define YDOC_MAX_DEPTH 32
#define YDOC_MAX_NODES 200000
#define YDOC_MAX_BYTES (8u << 20)

typedef enum { YDOC_SCALAR, YDOC_MAP, YDOC_SEQ } ydoc_type;

typedef struct ydoc_node ydoc_node;
/* 40 bytes: a scenario of 10,000 deployments has 70,000 nodes. A scalar's text is held in the
 * node itself when it is short (most ids, keys and numbers), so for a scalar `keys` and
 * `items` are not pointers: read them only from a mapping or a sequence. */
struct ydoc_node {
    unsigned char type;  /* a ydoc_type */
    unsigned char plain; /* scalar: 1 when written unquoted (so "" is null only when plain) */
    unsigned char flow;  /* map or sequence: 1 when written in flow style ({...} or [...]) */
    int line, column;    /* 1-based position of the node's first character */
    uint32_t n;          /* map: pairs; sequence: items; scalar: 0 */
    const char *value;   /* scalar: its text, NUL-terminated; NULL for maps and sequences */
    union {
        struct {
            ydoc_node **keys;  /* map: the key scalars, n of them */
            ydoc_node **items; /* map: the values; sequence: the items */
        };
        char text[16]; /* scalar: where value points when its text is this short */
    };
};

typedef struct ydoc ydoc;

/* Parse a file. NULL on error, with "PATH:LINE:COL: message" in err. */
ydoc *ydoc_load_file(const char *path, char *err, size_t errlen);

/* Parse text of len bytes; `name` stands for the file in positions and messages. */
ydoc *ydoc_load_string(const char *text, size_t len, const char *name, char *err, size_t errlen);

void ydoc_free(ydoc *d);

/* Free the tree (every node and text) but keep the name and the overrides, so that errors
 * found after reading can still name the override a position came from; ydoc_root is NULL
 * from then on, and no node of the document may be used. A loader drops the tree as soon as
 * it has read it, so that what it builds next reuses the tree's memory. */
void ydoc_drop_tree(ydoc *d);

const ydoc_node *ydoc_root(const ydoc *d);
const char *ydoc_name(const ydoc *d); /* the file name given at load */

/*
 * An override, "key.path=value" (routersim's --set), applied to the tree before anyone reads
 * it. The path names mapping keys and sequence items, by index ("traffic.0.rate") or by the
 * item's id ("deployments.chat.replicas"); a missing mapping key is added (the reader then
 * judges it as if written in the file), a missing item is an error. The value is YAML
 * ("12", "250/s", "[a, b]", "{min: 1, max: 4}"). Every node on the path is copied first, so
 * a block shared through an alias changes only where the path goes. Nodes an override makes
 * have line YDOC_OVERRIDE_LINE(k) for the document's k-th override (0-based) and as column
 * the character of the override text where they start; ydoc_override tells the text back.
 * Returns 0, or -1 with "FILE: --set TEXT: message" in err.
 */
#define YDOC_OVERRIDE_LINE(k) (-1 - (int)(k))
int ydoc_set(ydoc *d, const char *assignment, char *err, size_t errlen);

/* The override a node with a negative line came from ("key.path=value"), or NULL. */
const char *ydoc_override(const ydoc *d, int line);

/* Value of key in a map node, or NULL. */
const ydoc_node *ydoc_get(const ydoc_node *map, const char *key);

/* 1 when the node is YAML null: a plain scalar "", "~", "null", "Null" or "NULL". */
int ydoc_is_null(const ydoc_node *node);

const char *ydoc_type_name(ydoc_type t); /* "scalar", "mapping", "sequence" */

#endif
