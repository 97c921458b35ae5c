/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/ydoc.h"

#include "tests/check_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[1024];

static ydoc *load(const char *text)
{
    ydoc *d = ydoc_load_string(text, strlen(text), "t.yaml", err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    return d;
}

/* The text is refused with exactly this message. */
static void refused_n(const char *text, size_t len, const char *message)
{
    err[0] = '\0';
    ck_assert_ptr_null(ydoc_load_string(text, len, "t.yaml", err, sizeof err));
    ck_assert_str_eq(err, message);
}

static void refused(const char *text, const char *message)
{
    refused_n(text, strlen(text), message);
}

static void ck_node(const ydoc_node *n, ydoc_type type, int line, int column)
{
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->type, type);
    ck_assert_int_eq(n->line, line);
    ck_assert_int_eq(n->column, column);
}

static void ck_scalar(const ydoc_node *n, const char *value, int plain, int line, int column)
{
    ck_node(n, YDOC_SCALAR, line, column);
    ck_assert_str_eq(n->value, value);
    ck_assert_int_eq(n->plain, plain);
    ck_assert_uint_eq(n->n, 0);
}

START_TEST(block_and_flow_positions)
{
    ydoc *d = load("name: demo\n"
                   "list: [x, \"y\", {k: v}]\n"
                   "map: {a: 1, b: [2]}\n"
                   "block:\n"
                   "  - first\n"
                   "  - key: value\n"
                   "    other: 'q'\n");
    const ydoc_node *root = ydoc_root(d);
    ck_node(root, YDOC_MAP, 1, 1);
    ck_assert_int_eq(root->flow, 0);
    ck_assert_uint_eq(root->n, 4);
    ck_assert_ptr_null(root->value);
    ck_scalar(root->keys[0], "name", 1, 1, 1);
    ck_scalar(root->items[0], "demo", 1, 1, 7);

    const ydoc_node *list = ydoc_get(root, "list");
    ck_node(list, YDOC_SEQ, 2, 7);
    ck_assert_int_eq(list->flow, 1);
    ck_assert_uint_eq(list->n, 3);
    ck_scalar(list->items[0], "x", 1, 2, 8);
    ck_scalar(list->items[1], "y", 0, 2, 11);
    ck_node(list->items[2], YDOC_MAP, 2, 16);
    ck_assert_int_eq(list->items[2]->flow, 1);
    ck_scalar(list->items[2]->keys[0], "k", 1, 2, 17);
    ck_scalar(list->items[2]->items[0], "v", 1, 2, 20);

    const ydoc_node *map = ydoc_get(root, "map");
    ck_node(map, YDOC_MAP, 3, 6);
    ck_assert_int_eq(map->flow, 1);
    ck_scalar(ydoc_get(map, "a"), "1", 1, 3, 10);
    ck_node(ydoc_get(map, "b"), YDOC_SEQ, 3, 16);
    ck_scalar(ydoc_get(map, "b")->items[0], "2", 1, 3, 17);

    const ydoc_node *block = ydoc_get(root, "block");
    ck_node(block, YDOC_SEQ, 5, 3);
    ck_assert_int_eq(block->flow, 0);
    ck_assert_uint_eq(block->n, 2);
    ck_scalar(block->items[0], "first", 1, 5, 5);
    ck_node(block->items[1], YDOC_MAP, 6, 5);
    ck_assert_int_eq(block->items[1]->flow, 0);
    ck_scalar(ydoc_get(block->items[1], "key"), "value", 1, 6, 10);
    ck_scalar(ydoc_get(block->items[1], "other"), "q", 0, 7, 12);
    ydoc_free(d);
}
END_TEST

START_TEST(scalar_styles)
{
    ydoc *d = load("lit: |\n  x\n  y\n"
                   "fold: >-\n  p\n  q\n"
                   "single: 'it''s'\n"
                   "double: \"tab\\there \\u00e9\"\n"
                   "plain: a b  c\n"
                   "tagged: !!str 5\n"
                   "\"quoted key\": 1\n"
                   "multi: one\n  two\n");
    const ydoc_node *root = ydoc_root(d);
    ck_scalar(ydoc_get(root, "lit"), "x\ny\n", 0, 1, 6);
    ck_scalar(ydoc_get(root, "fold"), "p q", 0, 4, 7);
    ck_scalar(ydoc_get(root, "single"), "it's", 0, 7, 9);
    ck_scalar(ydoc_get(root, "double"), "tab\there \xc3\xa9", 0, 8, 9);
    ck_scalar(ydoc_get(root, "plain"), "a b  c", 1, 9, 8);
    ck_scalar(ydoc_get(root, "tagged"), "5", 1, 10, 9);
    ck_scalar(ydoc_get(root, "quoted key"), "1", 1, 11, 15);
    ck_scalar(root->keys[6], "quoted key", 0, 11, 1);
    ck_scalar(ydoc_get(root, "multi"), "one two", 1, 12, 8);
    ydoc_free(d);
}
END_TEST

START_TEST(null_plain_and_quoted)
{
    ydoc *d = load("a:\nb: ~\nc: null\nd: Null\ne: NULL\n"
                   "f: ''\ng: \"null\"\nh: nil\ni: nULL\nj: 0\n");
    const ydoc_node *root = ydoc_root(d);
    const char *nulls = "abcde", *not_nulls = "fghij";
    for (const char *k = nulls; *k; k++)
        ck_assert_msg(ydoc_is_null(ydoc_get(root, (char[]){*k, 0})), "%c", *k);
    for (const char *k = not_nulls; *k; k++)
        ck_assert_msg(!ydoc_is_null(ydoc_get(root, (char[]){*k, 0})), "%c", *k);
    ck_scalar(ydoc_get(root, "a"), "", 1, 1, 3);
    ck_assert(!ydoc_is_null(root));
    ydoc_free(d);
}
END_TEST

START_TEST(lookup_and_names)
{
    ydoc *d = load("a: 1\nb: [x]\n");
    const ydoc_node *root = ydoc_root(d);
    ck_assert_ptr_nonnull(ydoc_get(root, "a"));
    ck_assert_ptr_null(ydoc_get(root, "c"));
    ck_assert_ptr_null(ydoc_get(root, "A"));
    ck_assert_ptr_null(ydoc_get(ydoc_get(root, "b"), "x"));
    ck_assert_ptr_null(ydoc_get(ydoc_get(root, "a"), "a"));
    ck_assert_ptr_null(ydoc_get(NULL, "a"));
    ck_assert_str_eq(ydoc_name(d), "t.yaml");
    ck_assert_str_eq(ydoc_type_name(YDOC_SCALAR), "scalar");
    ck_assert_str_eq(ydoc_type_name(YDOC_MAP), "mapping");
    ck_assert_str_eq(ydoc_type_name(YDOC_SEQ), "sequence");
    ydoc_free(d);
}
END_TEST

/* The tree is generic: a root that is not a mapping is the caller's to refuse. */
START_TEST(any_root_structure)
{
    ydoc *d = load("[1, 2]");
    ck_node(ydoc_root(d), YDOC_SEQ, 1, 1);
    ydoc_free(d);
    d = load("just text");
    ck_scalar(ydoc_root(d), "just text", 1, 1, 1);
    ydoc_free(d);
    d = load("\xef\xbb\xbf# a BOM, a comment\n%YAML 1.1\n---\na: 1\n...\n");
    ck_scalar(ydoc_get(ydoc_root(d), "a"), "1", 1, 4, 4);
    ydoc_free(d);
}
END_TEST

/* YAML splits a flow mapping on commas: an unquoted "--deployments=a,b" inside {...}
 * arrives as a shorter value plus a key with a null value, where the caller can see it. */
START_TEST(flow_mapping_comma_split)
{
    ydoc *d = load("- {at: 1m, run: firectl router update r --deployments=a,b}\n");
    const ydoc_node *event = ydoc_root(d)->items[0];
    ck_assert_uint_eq(event->n, 3);
    ck_scalar(ydoc_get(event, "run"), "firectl router update r --deployments=a", 1, 1, 17);
    ck_scalar(event->keys[2], "b", 1, 1, 57);
    ck_assert(ydoc_is_null(event->items[2]));
    ydoc_free(d);
}
END_TEST

START_TEST(malformed_yaml)
{
    refused("a: [1, 2\nb: 3\n", "t.yaml:2:2: did not find expected ',' or ']' (while parsing a "
                                "flow sequence that starts at line 1, column 4)");
    refused("a:\n  b: 1\n c: 2\n", "t.yaml:3:2: did not find expected key (while parsing a block "
                                   "mapping that starts at line 1, column 1)");
    refused("a: \"open\n", "t.yaml:2:1: found unexpected end of stream (while scanning a quoted "
                           "scalar that starts at line 1, column 4)");
    refused("a: b: c\n", "t.yaml:1:5: mapping values are not allowed in this context");
    refused("a: {x: 1\n", "t.yaml:2:1: did not find expected ',' or '}' (while parsing a flow "
                          "mapping that starts at line 1, column 4)");
    refused("x:\n\t- 1\n", "t.yaml:2:1: found character that cannot start any token (while "
                           "scanning for the next token that starts at line 2, column 1); indent "
                           "YAML with spaces, not tabs");
    refused("- a\nb: c\n", "t.yaml:2:1: did not find expected '-' indicator (while parsing a "
                           "block collection that starts at line 1, column 1)");
    refused("a: @x\n", "t.yaml:1:4: found character that cannot start any token (while scanning "
                       "for the next token that starts at line 1, column 4)");
}
END_TEST

START_TEST(unsupported_structure)
{
    refused("? [a, b]\n: c\n",
            "t.yaml:1:3: expected a plain text key in this mapping, got a sequence as a key");
    refused("{a: 1}: x\n",
            "t.yaml:1:1: expected a plain text key in this mapping, got a mapping as a key");
    refused("a: \"x\\0y\"\n",
            "t.yaml:1:4: expected text, got a NUL character (\\0) inside this scalar");
}
END_TEST

START_TEST(empty_inputs)
{
    const char *empties[] = {"",     "   \n\n  \r\n\n", "# only a comment\n# and another",
                             "---",  "---\n...\n",      "~",
                             "null", "\n\n\nNULL\n",    "--- # comment\n"};
    for (size_t i = 0; i < sizeof empties / sizeof *empties; i++)
        refused(empties[i], "t.yaml:1:1: empty scenario: expected a mapping");
    refused_n("", 0, "t.yaml:1:1: empty scenario: expected a mapping");
}
END_TEST

START_TEST(binary_refused)
{
    refused_n("a: 1\nb: x\0y\n", 11,
              "t.yaml:2:5: expected UTF-8 text, got a NUL byte (binary data?)");
    refused("a: \x01\n",
            "t.yaml:1:4: expected UTF-8 text: control characters are not allowed (#x1)");
    refused("a: 1\r\nb: [2,\r\n  \x1b]\n",
            "t.yaml:3:3: expected UTF-8 text: control characters are not allowed (#x1B)");
    refused("a: \xff\n", "t.yaml:1:4: expected UTF-8 text: invalid leading UTF-8 octet (#xFF)");
    refused("\xc3\xa9: \xc3", "t.yaml:1:4: expected UTF-8 text: incomplete UTF-8 octet sequence");
    refused("\xc3\xa9: \xc3\n",
            "t.yaml:1:5: expected UTF-8 text: invalid trailing UTF-8 octet (#xA)");

    /* Random bytes, with and without NULs: always refused with a position, never a crash. */
    unsigned seed = 12345;
    char junk[4096];
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (char)(seed >> 16);
            if (round % 2 && junk[i] == '\0')
                junk[i] = '\x80';
        }
        err[0] = '\0';
        ck_assert_ptr_null(ydoc_load_string(junk, sizeof junk, "t.yaml", err, sizeof err));
        ck_assert_msg(strncmp(err, "t.yaml:", 7) == 0 && strstr(err, "expected UTF-8 text"), "%s",
                      err);
    }
}
END_TEST

START_TEST(huge_input_refused_unread)
{
    size_t len = YDOC_MAX_BYTES + 1u;
    char *big = malloc(len);
    ck_assert_ptr_nonnull(big);
    memset(big, '#', len);
    refused_n(big, len, "t.yaml: expected a file of at most 8388608 bytes (8 MiB), got 8388609");
    free(big);
}
END_TEST

/* A string of n copies of `unit` followed by `tail`. */
static char *repeat(const char *unit, size_t n, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * n + t + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    memcpy(s + u * n, tail, t + 1);
    return s;
}

START_TEST(deep_nesting_refused)
{
    char *deep = repeat("[", 10000, "");
    refused(deep, "t.yaml:1:33: expected at most 32 levels of nesting, got more");
    free(deep);

    char *open = repeat("[", YDOC_MAX_DEPTH, "x");
    char *ok = repeat("]", YDOC_MAX_DEPTH, "");
    char *both = malloc(strlen(open) + strlen(ok) + 1);
    strcpy(both, open);
    strcat(both, ok);
    ydoc *d = load(both);
    const ydoc_node *n = ydoc_root(d);
    for (int level = 1; level < YDOC_MAX_DEPTH; level++)
        n = n->items[0];
    ck_scalar(n->items[0], "x", 1, 1, YDOC_MAX_DEPTH + 1);
    ydoc_free(d);
    free(open);
    free(ok);
    free(both);

    /* Block mappings nest too: 33 levels of "k:" indented by two more each time. */
    char block[4096] = "";
    for (int level = 0; level <= YDOC_MAX_DEPTH; level++)
        snprintf(block + strlen(block), sizeof block - strlen(block), "%*sk:\n", 2 * level, "");
    refused(block, "t.yaml:33:65: expected at most 32 levels of nesting, got more");
}
END_TEST

START_TEST(node_limit)
{
    /* The root sequence plus 199999 items is exactly the limit. */
    char *at_limit = repeat(",1", YDOC_MAX_NODES - 1, "]");
    at_limit[0] = '[';
    ydoc *d = load(at_limit);
    ck_assert_uint_eq(ydoc_root(d)->n, YDOC_MAX_NODES - 1);
    ydoc_free(d);
    free(at_limit);

    char *over = repeat(",1", YDOC_MAX_NODES, "]");
    over[0] = '[';
    refused(over, "t.yaml:1:400000: expected at most 200000 YAML nodes in a scenario, got more");
    free(over);
}
END_TEST

START_TEST(alias_bomb_refused_fast)
{
    const char *bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                       "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                       "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                       "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    /* Expanded, the rows hold 9, 82, 739, 6652 and 59869 nodes; with the root, the six keys
     * and f's sequence that is 67359 before f's first alias, and f's third alias of e
     * (6:14) takes it past 200000: refused there, before anything is expanded. No clock is
     * read, so a loaded machine cannot fail it. */
    refused(bomb, "t.yaml:6:14: expected at most 200000 YAML nodes in a scenario, counting "
                  "what aliases repeat, got more");
}
END_TEST

/* Aliases repeat their anchor's node; merge keys add the pairs a mapping does not set. */
START_TEST(anchors_aliases_and_merge_keys)
{
    ydoc *d = load("base: &base {replicas: 2, min: 1}\n"
                   "n: &n 7\n"
                   "a: {replicas: 3, <<: *base}\n"
                   "b: *n\n"
                   "c:\n"
                   "  <<: [{min: 5, x: 1}, *base]\n"
                   "  x: 9\n");
    const ydoc_node *root = ydoc_root(d);
    const ydoc_node *a = ydoc_get(root, "a"), *c = ydoc_get(root, "c");
    ck_assert_uint_eq(a->n, 2);                        /* replicas, min */
    ck_scalar(ydoc_get(a, "replicas"), "3", 1, 3, 15); /* its own key wins */
    ck_scalar(ydoc_get(a, "min"), "1", 1, 1, 32);      /* where it was written */
    ck_assert_ptr_null(ydoc_get(a, "<<"));             /* resolved, not a key */
    ck_scalar(ydoc_get(root, "b"), "7", 1, 2, 4);      /* alias of a scalar, at its anchor */
    ck_assert_uint_eq(c->n, 3);                        /* x, min, replicas */
    ck_scalar(ydoc_get(c, "min"), "5", 1, 6, 14);      /* the first merged wins */
    ck_scalar(ydoc_get(c, "replicas"), "2", 1, 1, 24); /* then the second's rest */
    ck_scalar(ydoc_get(c, "x"), "9", 1, 7, 6);         /* its own key, written after */
    ydoc_free(d);
}
END_TEST

START_TEST(anchors_and_aliases_refused)
{
    const char *cases[][2] = {
        {"a: 1\nb: *x\n",
         "t.yaml:2:4: alias *x: expected an anchor of that name defined before it"},
        {"a: &x [1, *x]\n",
         "t.yaml:1:11: alias *x inside the node it names: expected an alias to a complete node"},
        {"a: {<<: 1}\n",
         "t.yaml:1:9: expected a mapping or a sequence of mappings to merge (<<), got a scalar"},
        {"b: &b {x: 1}\na: {<<: [*b, [2]]}\n",
         "t.yaml:2:14: expected a mapping or a sequence of mappings to merge (<<), got a "
         "sequence"},
        {"b: &b {x: 1}\na: {<<: *b, y: 1, y: 2}\n",
         "t.yaml:2:19: duplicate key \"y\" (first at line 2, column 13)"},
        {"a: {<<: *base}\n", "t.yaml:1:9: alias *base: expected an anchor of that name defined "
                             "before it"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        refused(cases[i][0], cases[i][1]);

    /* 20 levels behind an anchor, repeated 13 levels down: 33 levels, one too many */
    char deep[256];
    snprintf(deep, sizeof deep, "a: &a %.20s1%.20s\nb: %.12s*a%.12s\n", "[[[[[[[[[[[[[[[[[[[[",
             "]]]]]]]]]]]]]]]]]]]]", "[[[[[[[[[[[[", "]]]]]]]]]]]]");
    refused(deep, "t.yaml:2:16: expected at most 32 levels of nesting, counting what aliases "
                  "repeat, got more");
    /* one level less fits */
    snprintf(deep, sizeof deep, "a: &a %.20s1%.20s\nb: %.11s*a%.11s\n", "[[[[[[[[[[[[[[[[[[[[",
             "]]]]]]]]]]]]]]]]]]]]", "[[[[[[[[[[[", "]]]]]]]]]]]");
    ydoc_free(load(deep));
}
END_TEST

/* --set: a path through mappings, sequence indexes and item ids, a YAML value placed at the
 * override, copies along the path so that an alias's other uses keep their value. */
START_TEST(overrides)
{
    ydoc *d = load("base: &b {slots: 2}\n"
                   "deployments:\n"
                   "  - id: chat\n"
                   "    replicas: 3\n"
                   "    serving: *b\n"
                   "  - id: code\n"
                   "    serving: *b\n"
                   "traffic:\n"
                   "  - rate: 10/s\n");
    ck_assert_int_eq(ydoc_set(d, "deployments.chat.replicas=12", err, sizeof err), 0);
    ck_assert_int_eq(ydoc_set(d, "traffic.0.rate=250/s", err, sizeof err), 0);
    ck_assert_int_eq(ydoc_set(d, "deployments.1.serving.slots=8", err, sizeof err), 0);
    ck_assert_int_eq(ydoc_set(d, "checks.alpha=0.01", err, sizeof err), 0);
    ck_assert_int_eq(ydoc_set(d, "traffic.0.profile=[{at: 0s, rate: 1/s}]", err, sizeof err), 0);
    const ydoc_node *root = ydoc_root(d), *deps = ydoc_get(root, "deployments");
    ck_scalar(ydoc_get(deps->items[0], "replicas"), "12", 1, YDOC_OVERRIDE_LINE(0), 27);
    ck_scalar(ydoc_get(ydoc_get(root, "traffic")->items[0], "rate"), "250/s", 1,
              YDOC_OVERRIDE_LINE(1), 16);
    ck_scalar(ydoc_get(ydoc_get(deps->items[1], "serving"), "slots"), "8", 1, YDOC_OVERRIDE_LINE(2),
              29);
    /* the alias's other uses and the anchor itself keep 2 */
    ck_scalar(ydoc_get(ydoc_get(deps->items[0], "serving"), "slots"), "2", 1, 1, 18);
    ck_scalar(ydoc_get(ydoc_get(root, "base"), "slots"), "2", 1, 1, 18);
    ck_scalar(ydoc_get(ydoc_get(root, "checks"), "alpha"), "0.01", 1, YDOC_OVERRIDE_LINE(3), 14);
    const ydoc_node *profile = ydoc_get(ydoc_get(root, "traffic")->items[0], "profile");
    ck_node(profile, YDOC_SEQ, YDOC_OVERRIDE_LINE(4), 19);
    ck_scalar(ydoc_get(profile->items[0], "rate"), "1/s", 1, YDOC_OVERRIDE_LINE(4), 35);
    ck_assert_str_eq(ydoc_override(d, YDOC_OVERRIDE_LINE(1)), "traffic.0.rate=250/s");
    ck_assert_ptr_null(ydoc_override(d, YDOC_OVERRIDE_LINE(5)));
    ck_assert_ptr_null(ydoc_override(d, 3));

    const char *bad[][2] = {
        {"replicas", "t.yaml: --set replicas: expected key.path=value"},
        {"=1", "t.yaml: --set =1: expected key.path=value"},
        {"traffic.1.rate=1/s",
         "t.yaml: --set traffic.1.rate=1/s: expected an index below 1 for the sequence at line 9, "
         "column 3, got 1"},
        {"deployments.chta.replicas=1",
         "t.yaml: --set deployments.chta.replicas=1: expected an index or the id of an item of "
         "the sequence at line 3, column 3, got \"chta\""},
        {"base.slots.x=1", "t.yaml: --set base.slots.x=1: expected a mapping or a sequence before "
                           "\"x\", got a scalar at line 1, column 18"},
        {"base..slots=1", "t.yaml: --set base..slots=1: expected a key between the dots of the "
                          "path"},
        {"base.slots=[1,", "t.yaml: --set base.slots=[1,: expected a YAML value after '=': did "
                           "not find expected node content"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(ydoc_set(d, bad[i][0], err, sizeof err), -1);
        ck_assert_str_eq(err, bad[i][1]);
    }
    ydoc_free(d);
}
END_TEST

/* Scalar texts of every length around the size a node holds itself (15 bytes and a NUL), as
 * read, as an alias repeats them, as an override writes them, and in a mapping's keys, come
 * back whole: each written text is compared with what the tree gives. */
START_TEST(scalar_texts_any_length)
{
    const char *alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    char text[8192] = "", want[64];
    for (int len = 0; len <= 33; len++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "k%.*s: &a%d \"%.*s\"\nr%d: *a%d\n", len,
                 alphabet, len, len, alphabet, len, len);
    }
    /* each text followed at once by a node of another type */
    strcat(text, "s: [");
    for (int len = 0; len <= 33; len++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "\"%.*s\", [1], ", len, alphabet);
    strcat(text, "end]\n");
    ydoc *d = load(text);
    const ydoc_node *root = ydoc_root(d);
    ck_assert_uint_eq(root->n, 69);
    const ydoc_node *s = ydoc_get(root, "s");
    for (int len = 0; len <= 33; len++) {
        snprintf(want, sizeof want, "%.*s", len, alphabet);
        ck_assert_str_eq(s->items[2 * len]->value, want);
        ck_assert_int_eq(s->items[2 * len + 1]->type, YDOC_SEQ);
    }
    for (int len = 0; len <= 33; len++) {
        snprintf(want, sizeof want, "k%.*s", len, alphabet);
        ck_scalar(root->keys[2 * len], want, 1, 2 * len + 1, 1);
        const ydoc_node *value = ydoc_get(root, want), *alias;
        ck_scalar(value, want + 1, 0, 2 * len + 1, len + 4); /* from its anchor */
        snprintf(want, sizeof want, "r%d", len);
        ck_assert_ptr_eq(alias = ydoc_get(root, want), value); /* the alias shares it */
        ck_assert_uint_eq(strlen(alias->value), (size_t)len);
    }
    for (int len = 0; len <= 33; len++) {
        char set[128];
        snprintf(set, sizeof set, "k%.*s=%.*s", len, alphabet, len, alphabet + 1);
        ck_assert_int_eq(ydoc_set(d, set, err, sizeof err), 0);
        snprintf(set, sizeof set, "new%.*s=1", len, alphabet);
        ck_assert_int_eq(ydoc_set(d, set, err, sizeof err), 0);
    }
    root = ydoc_root(d);
    for (int len = 0; len <= 33; len++) {
        snprintf(want, sizeof want, "k%.*s", len, alphabet);
        const ydoc_node *value = ydoc_get(root, want);
        snprintf(want, sizeof want, "%.*s", len, alphabet + 1);
        ck_assert_str_eq(value->value, want);
        snprintf(want, sizeof want, "new%.*s", len, alphabet);
        ck_assert_ptr_nonnull(ydoc_get(root, want));
        snprintf(want, sizeof want, "r%d", len);
        ck_assert_uint_eq(strlen(ydoc_get(root, want)->value), (size_t)len); /* not overridden */
    }
    ydoc_free(d);
}
END_TEST

/* Positions stay exact far into a large file: a sequence of 100,000 items, one a line (half
 * the node limit), the last a flow mapping; each node at the line and column where it is
 * written. */
START_TEST(positions_in_a_large_file)
{
    enum { LINES = 100000 };
    size_t size = (size_t)LINES * 16 + 64, used = 0;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text, size, "list:\n");
    for (int i = 0; i + 1 < LINES; i++)
        used += (size_t)snprintf(text + used, size - used, "  - d-%d\n", i);
    used += (size_t)snprintf(text + used, size - used, "  -   {id: last, n: 6}\n");
    ydoc *d = ydoc_load_string(text, used, "t.yaml", err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    free(text);
    const ydoc_node *list = ydoc_get(ydoc_root(d), "list");
    ck_assert_uint_eq(list->n, LINES);
    char id[32];
    for (int i = 0; i + 1 < LINES; i += 9973) {
        snprintf(id, sizeof id, "d-%d", i);
        ck_scalar(list->items[i], id, 1, i + 2, 5);
    }
    const ydoc_node *last = list->items[LINES - 1];
    ck_node(last, YDOC_MAP, LINES + 1, 7);
    ck_scalar(last->keys[0], "id", 1, LINES + 1, 8);
    ck_scalar(last->items[0], "last", 1, LINES + 1, 12);
    ck_scalar(last->keys[1], "n", 1, LINES + 1, 18);
    ck_scalar(last->items[1], "6", 1, LINES + 1, 21);
    ydoc_free(d);
}
END_TEST

/* Mappings of every size on either side of a merge: its own keys win and each merged key
 * is taken once, the first listed winning, whether the keys are compared one by one (a few)
 * or hashed (many). The expected mapping is written out by hand below. */
START_TEST(merge_keys_any_size)
{
    for (int own = 0; own <= 20; own += 4) {
        for (int merged = 1; merged <= 20; merged += 6) {
            /* base: {m0: b, m1: b, ...}; more: {m0: c, z: c}; map: own k0.., and m0 written
             * by the map itself when own > 0, then <<: [*base, *more] */
            char text[4096];
            size_t used = (size_t)sprintf(text, "base: &base {");
            for (int i = 0; i < merged; i++)
                used += (size_t)sprintf(text + used, "%sm%d: b", i ? ", " : "", i);
            used += (size_t)sprintf(text + used, "}\nmore: &more {m0: c, z: c}\nmap: {");
            for (int i = 0; i < own; i++)
                used += (size_t)sprintf(text + used, "k%d: own, ", i);
            if (own > 0)
                used += (size_t)sprintf(text + used, "m0: own, ");
            sprintf(text + used, "<<: [*base, *more]}\n");
            ydoc *d = load(text);
            const ydoc_node *map = ydoc_get(ydoc_root(d), "map");
            ck_assert_uint_eq(map->n, (size_t)(own + merged + 1)); /* m0 once, z */
            ck_assert_str_eq(ydoc_get(map, "m0")->value, own > 0 ? "own" : "b");
            ck_assert_str_eq(ydoc_get(map, "z")->value, "c");
            for (int i = 1; i < merged; i++) {
                char key[16];
                sprintf(key, "m%d", i);
                ck_assert_str_eq(ydoc_get(map, key)->value, "b");
            }
            ck_assert_ptr_null(ydoc_get(map, "<<"));
            ydoc_free(d);
        }
    }
    /* A duplicate found at the point where a mapping's keys start being hashed. */
    refused("{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, a: 9}",
            "t.yaml:1:50: duplicate key \"a\" (first at line 1, column 2)");
    refused("{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, a: 8}",
            "t.yaml:1:44: duplicate key \"a\" (first at line 1, column 2)");
}
END_TEST

START_TEST(duplicate_keys_refused)
{
    refused("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key \"a\" (first at line 1, column 1)");
    refused("{a: 1, a: 2}", "t.yaml:1:8: duplicate key \"a\" (first at line 1, column 2)");
    refused("\"a\": 1\na: 2\n", "t.yaml:2:1: duplicate key \"a\" (first at line 1, column 1)");
    refused("top:\n  - x: 1\n    y: 2\n    x: 3\n",
            "t.yaml:4:5: duplicate key \"x\" (first at line 2, column 5)");
    refused("\"a\\tb\": 1\n? \"a\\tb\"\n: 2\n",
            "t.yaml:2:3: duplicate key \"a\\x09b\" (first at line 1, column 1)");

    /* The same key in different mappings is fine. */
    ydoc *d = load("a: {x: 1}\nb: {x: 2}\nc: [{x: 3}, {x: 4}]\n");
    ck_scalar(ydoc_get(ydoc_get(ydoc_root(d), "b"), "x"), "2", 1, 2, 8);
    ydoc_free(d);

    /* In a large mapping, found at once and reported where it is. */
    char *big = malloc(20000 * 16 + 32);
    size_t used = 0;
    for (int i = 0; i < 20000; i++)
        used += (size_t)sprintf(big + used, "k%d: %d\n", i, i);
    strcpy(big + used, "k7: again\n");
    refused(big, "t.yaml:20001:1: duplicate key \"k7\" (first at line 8, column 1)");
    free(big);
}
END_TEST

START_TEST(several_documents_refused)
{
    refused("a: 1\n---\nb: 2\n",
            "t.yaml:2:1: expected one YAML document, got a second one (one scenario per file)");
    refused("--- \na: 1\n--- \nb: 2\n",
            "t.yaml:3:1: expected one YAML document, got a second one (one scenario per file)");
    refused("a: 1\n...\n---\n",
            "t.yaml:3:1: expected one YAML document, got a second one (one scenario per file)");
    ydoc *d = load("---\na: 1\n...\n");
    ck_scalar(ydoc_get(ydoc_root(d), "a"), "1", 1, 2, 4);
    ydoc_free(d);
}
END_TEST

/* A temporary file holding `len` bytes of `text`; the caller unlinks it. */
static void temp_file(char *path, const char *text, size_t len)
{
    strcpy(path, "/tmp/ydoc-test-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
}

START_TEST(files)
{
    char path[64], want[256];
    temp_file(path, "a: 1\nb: [x]\n", 12);
    ydoc *d = ydoc_load_file(path, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_str_eq(ydoc_name(d), path);
    ck_scalar(ydoc_get(ydoc_root(d), "b")->items[0], "x", 1, 2, 5);
    ydoc_free(d);
    unlink(path);

    temp_file(path, "a: 1\na: \0\n", 10);
    ck_assert_ptr_null(ydoc_load_file(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:2:4: expected UTF-8 text, got a NUL byte (binary data?)", path);
    ck_assert_str_eq(err, want);
    unlink(path);

    temp_file(path, "a: 1\nb: *x\n", 11);
    ck_assert_ptr_null(ydoc_load_file(path, err, sizeof err));
    snprintf(want, sizeof want,
             "%s:2:4: alias *x: expected an anchor of that name defined before it", path);
    ck_assert_str_eq(err, want);
    unlink(path);

    temp_file(path, "", 0);
    ck_assert_ptr_null(ydoc_load_file(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:1:1: empty scenario: expected a mapping", path);
    ck_assert_str_eq(err, want);
    unlink(path);
}
END_TEST

START_TEST(files_refused_before_reading)
{
    char path[64], want[256];
    /* A sparse file over the limit: refused from its size, without reading 8 MiB. */
    temp_file(path, "a: 1\n", 5);
    ck_assert_int_eq(truncate(path, (off_t)YDOC_MAX_BYTES + 1), 0);
    ck_assert_ptr_null(ydoc_load_file(path, err, sizeof err));
    snprintf(want, sizeof want, "%s: expected a file of at most 8388608 bytes (8 MiB), got more",
             path);
    ck_assert_str_eq(err, want);
    unlink(path);

    ck_assert_ptr_null(ydoc_load_file("/tmp/ydoc-test-missing/none.yaml", err, sizeof err));
    ck_assert_str_eq(err, "/tmp/ydoc-test-missing/none.yaml: cannot read: No such file or "
                          "directory");

    ck_assert_ptr_null(ydoc_load_file("/tmp", err, sizeof err));
    ck_assert_str_eq(err, "/tmp: expected a YAML file, got a directory");
}
END_TEST

/* One test per case, so that every case is its own CTest entry; the timeout is Check's
 * default (4 s) for the quick ones. */
static Suite *suite(void)
{
    Suite *s = suite_create("ydoc");
    check_add_case(s, tcase_create("block_and_flow_positions"), block_and_flow_positions, 4);
    check_add_case(s, tcase_create("scalar_styles"), scalar_styles, 4);
    check_add_case(s, tcase_create("null_plain_and_quoted"), null_plain_and_quoted, 4);
    check_add_case(s, tcase_create("lookup_and_names"), lookup_and_names, 4);
    check_add_case(s, tcase_create("any_root_structure"), any_root_structure, 4);
    check_add_case(s, tcase_create("flow_mapping_comma_split"), flow_mapping_comma_split, 4);
    check_add_case(s, tcase_create("malformed_yaml"), malformed_yaml, 4);
    check_add_case(s, tcase_create("unsupported_structure"), unsupported_structure, 4);
    check_add_case(s, tcase_create("empty_inputs"), empty_inputs, 4);
    check_add_case(s, tcase_create("binary_refused"), binary_refused, 4);
    check_add_case(s, tcase_create("huge_input"), huge_input_refused_unread, 60);
    check_add_case(s, tcase_create("deep_nesting"), deep_nesting_refused, 60);
    check_add_case(s, tcase_create("node_limit"), node_limit, 60);
    check_add_case(s, tcase_create("alias_bomb"), alias_bomb_refused_fast, 4);
    check_add_case(s, tcase_create("anchors_and_aliases"), anchors_and_aliases_refused, 4);
    check_add_case(s, tcase_create("merge_keys"), anchors_aliases_and_merge_keys, 4);
    check_add_case(s, tcase_create("overrides"), overrides, 4);
    check_add_case(s, tcase_create("duplicate_keys"), duplicate_keys_refused, 4);
    check_add_case(s, tcase_create("merge_keys_any_size"), merge_keys_any_size, 4);
    check_add_case(s, tcase_create("scalar_texts_any_length"), scalar_texts_any_length, 4);
    check_add_case(s, tcase_create("positions_in_a_large_file"), positions_in_a_large_file, 60);
    check_add_case(s, tcase_create("several_documents"), several_documents_refused, 4);
    check_add_case(s, tcase_create("files"), files, 4);
    check_add_case(s, tcase_create("files_refused_before_reading"), files_refused_before_reading,
                   4);
    return s;
}
