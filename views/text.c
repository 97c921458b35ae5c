/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/text.h"

#include "sim/base/units.h"

#include <math.h>
#include <string.h>

size_t text_utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len;
    uint32_t c, min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return p[0] ? 1 : 0;
    }
    if ((p[0] & 0xE0) == 0xC0) {
        len = 2, c = p[0] & 0x1Fu, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3, c = p[0] & 0x0Fu, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4, c = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* One character of user text: `taken` input bytes, written as `bytes`. Whatever no format
 * here accepts becomes U+FFFD: invalid UTF-8 (one byte at a time), control characters other
 * than tab and line breaks, and U+FFFE and U+FFFF (not characters in XML). */
typedef struct {
    uint32_t cp;
    size_t taken;
    const char *bytes;
    size_t len;
} character;

static character next_character(const char *p)
{
    character c = {.bytes = p};
    c.taken = c.len = text_utf8_next(p, &c.cp);
    int control = c.cp < 0x20 && c.cp != '\t' && c.cp != '\n' && c.cp != '\r';
    if (c.taken == 0 || control || c.cp == 0xFFFE || c.cp == 0xFFFF)
        return (character){0xFFFD, c.taken ? c.taken : 1, TEXT_REPLACEMENT, 3};
    return c;
}

static void put(FILE *out, character c)
{
    fwrite(c.bytes, 1, c.len, out);
}

static const char *xml_entity(uint32_t cp, int attribute)
{
    switch (cp) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    case '\r':
        return "&#13;";
    case '\n':
        return attribute ? "&#10;" : NULL;
    case '\t':
        return attribute ? "&#9;" : NULL;
    }
    return NULL;
}

void text_xml(FILE *out, const char *s, int attribute)
{
    for (const char *p = s ? s : ""; *p;) {
        character c = next_character(p);
        const char *entity = xml_entity(c.cp, attribute);
        if (entity)
            fputs(entity, out);
        else
            put(out, c);
        p += c.taken;
    }
}

/* At the start of a line, "1." or "3)" would start a list: write the digits with the
 * punctuation escaped. Returns the bytes taken, 0 when p is not such a marker. */
static size_t md_list_marker(FILE *out, const char *p)
{
    size_t digits = strspn(p, "0123456789");
    if (digits == 0 || (p[digits] != '.' && p[digits] != ')'))
        return 0;
    fprintf(out, "%.*s\\%c", (int)digits, p, p[digits]);
    return digits + 1;
}

/* Characters that format wherever they are; escaping any ASCII punctuation is harmless. */
static const char md_inline[] = "\\`*_[]<>|&~!";

/* Characters that start a block (heading, list, rule, setext underline) at a line start. */
static const char md_block[] = "#-+=";

static int alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* An underscore between two letters or digits never emphasises (max_failed_requests). */
static int intraword(const char *s, const char *p)
{
    return p > s && alnum(p[-1]) && alnum(p[1]);
}

void text_md(FILE *out, const char *s, int cell)
{
    s = s ? s : "";
    int line_start = !cell;
    for (const char *p = s; *p;) {
        size_t marker = line_start ? md_list_marker(out, p) : 0;
        if (marker) {
            p += marker;
            line_start = 0;
            continue;
        }
        character c = next_character(p);
        int ascii = c.cp < 0x80;
        if (c.cp == '\n' && !cell)
            fputs(p[strspn(p, "\r\n\t ")] ? "\\\n" : "", out); /* no break at the end */
        else if (c.cp == '\n' || c.cp == '\r' || c.cp == '\t')
            fputc(' ', out);
        else if (c.cp == '_' && intraword(s, p))
            fputc('_', out);
        else if (ascii &&
                 (strchr(md_inline, (int)c.cp) || (line_start && strchr(md_block, (int)c.cp))))
            fprintf(out, "\\%c", (char)c.cp);
        else
            put(out, c);
        p += c.taken;
        if (!cell)
            line_start = c.cp == '\n' || (line_start && (c.cp == ' ' || c.cp == '\t'));
    }
}

void text_csv(FILE *out, const char *s)
{
    s = s ? s : "";
    int quoted = strpbrk(s, ",\"\r\n") != NULL;
    if (quoted)
        fputc('"', out);
    for (const char *p = s; *p;) {
        character c = next_character(p);
        if (c.cp == '"')
            fputs("\"\"", out);
        else
            put(out, c);
        p += c.taken;
    }
    if (quoted)
        fputc('"', out);
}

const char *text_short_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

void text_duration(char *buf, size_t size, double seconds)
{
    units_format_duration(seconds, buf, size);
}

void text_latency(char *buf, size_t size, double seconds)
{
    double rounded = seconds >= 59.95 ? round(seconds) : units_round_significant(seconds, 3);
    /* Below a second always in milliseconds, so that a column of latencies reads in one unit
     * ("47.1ms" above "45.2ms", never "0.0452s"): units_format_duration would fall back to
     * seconds where no short millisecond form reads back as exactly the same double. */
    if (rounded > 0 && rounded < 1 && rounded * 1000 >= 0.001)
        snprintf(buf, size, "%.3gms", rounded * 1000);
    else
        units_format_duration(rounded, buf, size);
}

void text_rate(char *buf, size_t size, double per_second)
{
    units_format_rate(units_round_significant(per_second, 3), buf, size);
}

void text_percent(char *buf, size_t size, double share)
{
    char number[64];
    units_format_number(100.0 * share, 3, 2, number, sizeof number);
    snprintf(buf, size, "%s%%", number);
}

void text_exact(char *buf, size_t size, double x)
{
    units_format_number(x, 0, 0, buf, size);
}

void text_count(char *buf, size_t size, uint64_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    if (size)
        buf[o < size ? o : size - 1] = '\0';
}
