/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/csvlines.h"

#include "tests/check_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The lines and cells both CSV readers (observed counts for `srm`, metrics for `fit` and
 * `replay`) take from a user's file: what is skipped, what is accepted, and each refusal
 * with its FILE:LINE:COL in the words those readers have always used.
 */

typedef struct {
    char seen[8][128];
    unsigned lineno[8];
    size_t n;
    unsigned fail_at; /* the callback refuses this line (0: none) */
} collected;

static int collect(void *ctx, char *line, unsigned lineno)
{
    collected *c = ctx;
    if (lineno == c->fail_at)
        return -1;
    ck_assert_uint_lt(c->n, 8);
    snprintf(c->seen[c->n], sizeof c->seen[c->n], "%s", line);
    c->lineno[c->n++] = lineno;
    return 0;
}

/* Write `len` bytes of text to a private file, read it back through csvlines_read. */
static int read_bytes(const char *text, size_t len, collected *c, unsigned *lines, char *path,
                      char *err, size_t errlen)
{
    strcpy(path, "/tmp/routersim-csvlines-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fwrite(text, 1, len, f);
    fclose(f);
    int rc = csvlines_read(path, collect, c, lines, err, errlen);
    unlink(path);
    return rc;
}

START_TEST(skips_comments_blanks_bom_and_crlf)
{
    static const char text[] = "\xEF\xBB\xBFtime,a\r\n# a comment\r\n  \r\n\n  # indented\n1,2\r\n";
    collected c = {0};
    unsigned lines;
    char path[64], err[256];
    ck_assert_int_eq(read_bytes(text, sizeof text - 1, &c, &lines, path, err, sizeof err), 0);
    ck_assert_uint_eq(c.n, 2);
    ck_assert_str_eq(c.seen[0], "time,a");
    ck_assert_uint_eq(c.lineno[0], 1);
    ck_assert_str_eq(c.seen[1], "1,2");
    ck_assert_uint_eq(c.lineno[1], 6);
    ck_assert_uint_eq(lines, 6);
}
END_TEST

/* The refusal for `len` bytes of text, with the file's name replaced by "F". */
static void expect_error(const char *text, size_t len, const char *want)
{
    collected c = {0};
    unsigned lines;
    char path[64], err[512];
    ck_assert_int_ne(read_bytes(text, len, &c, &lines, path, err, sizeof err), 0);
    size_t n = strlen(path);
    ck_assert_msg(strncmp(err, path, n) == 0, "no file name in: %s", err);
    ck_assert_msg(strcmp(err + n, want) == 0, "got \"%s\", want \"F%s\"", err + n, want);
}

START_TEST(refuses_nul_bytes_and_long_lines)
{
    static const char nul[] = "time,a\n1,x\0y\n";
    expect_error(nul, sizeof nul - 1, ":2:4: a NUL byte: expected text");
    size_t len = CSVLINES_MAX_LINE + 10;
    char *text = malloc(len + 1);
    ck_assert_ptr_nonnull(text);
    memcpy(text, "time,a\n", 7);
    memset(text + 7, 'x', len - 8);
    text[len - 1] = '\n';
    expect_error(text, len, ":2:1: line longer than 65536 bytes");
    free(text);
    /* a line the callback refuses stops the reading, with its error */
    collected c = {.fail_at = 2};
    unsigned lines;
    char path[64], err[256];
    ck_assert_int_ne(read_bytes("a\nb\nc\n", 6, &c, &lines, path, err, sizeof err), 0);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_uint_eq(lines, 2);
}
END_TEST

START_TEST(splits_and_trims_cells_with_their_columns)
{
    char line[] = " a , b,\tc ,,d";
    char *cells[8];
    int cols[8];
    ck_assert_int_eq(csvlines_split(line, cells, cols, 8), 5);
    const char *want[] = {"a", "b", "c", "", "d"};
    const int want_col[] = {2, 6, 9, 12, 13}; /* 1-based bytes of " a , b,\tc ,,d" */
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(cells[i], want[i]);
        ck_assert_int_eq(cols[i], want_col[i]);
    }
    char three[] = "a,b,c";
    ck_assert_int_eq(csvlines_split(three, cells, cols, 2), -1);
}
END_TEST

START_TEST(names_are_interned_or_refused_with_their_place)
{
    char **names = NULL, err[512];
    size_t n = 0, cap = 0;
    uint32_t i;
    ck_assert_int_eq(
        csvlines_name("F", "a", 2, 3, "deployment", &names, &n, &cap, &i, err, sizeof err), 0);
    ck_assert_uint_eq(i, 0);
    ck_assert_int_eq(
        csvlines_name("F", "b", 3, 3, "deployment", &names, &n, &cap, &i, err, sizeof err), 0);
    ck_assert_uint_eq(i, 1);
    ck_assert_int_eq(
        csvlines_name("F", "a", 4, 3, "deployment", &names, &n, &cap, &i, err, sizeof err), 0);
    ck_assert_uint_eq(i, 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_ne(csvlines_name("F", "", 5, 7, "router", &names, &n, &cap, &i, err, sizeof err),
                     0);
    ck_assert_str_eq(err, "F:5:7: empty router: expected a name");
    ck_assert_int_ne(
        csvlines_name("F", "a\"b", 6, 3, "router", &names, &n, &cap, &i, err, sizeof err), 0);
    ck_assert_str_eq(err, "F:6:3: a quote in the router name: quoted fields are not supported");
    char long_name[CSVLINES_MAX_NAME + 1];
    memset(long_name, 'x', CSVLINES_MAX_NAME);
    long_name[CSVLINES_MAX_NAME] = '\0';
    ck_assert_int_ne(
        csvlines_name("F", long_name, 7, 3, "deployment", &names, &n, &cap, &i, err, sizeof err),
        0);
    ck_assert_str_eq(err, "F:7:3: deployment name longer than 255 characters");
    ck_assert_uint_eq(n, 2);
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
}
END_TEST

START_TEST(missing_file)
{
    collected c = {0};
    unsigned lines;
    char err[256];
    ck_assert_int_ne(csvlines_read("/nonexistent/x.csv", collect, &c, &lines, err, sizeof err), 0);
    ck_assert_str_eq(err, "/nonexistent/x.csv: No such file or directory");
    ck_assert_uint_eq(lines, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("csvlines");
    TCase *tc = tcase_create("csv_lines");
    tcase_add_test(tc, skips_comments_blanks_bom_and_crlf);
    tcase_add_test(tc, refuses_nul_bytes_and_long_lines);
    tcase_add_test(tc, splits_and_trims_cells_with_their_columns);
    tcase_add_test(tc, names_are_interned_or_refused_with_their_place);
    tcase_add_test(tc, missing_file);
    suite_add_tcase(s, tc);
    return s;
}
