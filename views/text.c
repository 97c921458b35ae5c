/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/text.h"

#include "sim/base/units.h"

#include <math.h>
#include <stdlib.h>
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

static void put_bytes(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        putc_unlocked(s[i], out);
}

static void put(FILE *out, character c)
{
    put_bytes(out, c.bytes, c.len);
}

void text_put(FILE *out, const char *s)
{
    for (; *s; s++)
        putc_unlocked(*s, out);
}

void text_put_g(FILE *out, double x, int precision)
{
    char buf[TEXT_NUMBER_MAX];
    put_bytes(out, buf, text_g(buf, x, precision));
}

void text_put_u64(FILE *out, uint64_t n)
{
    char buf[TEXT_NUMBER_MAX];
    put_bytes(out, buf, text_u64(buf, n));
}

void text_put_i64(FILE *out, long long n)
{
    char buf[TEXT_NUMBER_MAX];
    put_bytes(out, buf, text_i64(buf, n));
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

/* A printable ASCII character that XML (or a CSV field) carries as it is: written without
 * decoding. Tested by comparisons, not strchr: every byte of a report's text goes through
 * here. */
static int xml_plain(char c)
{
    return c >= 0x20 && c < 0x7F && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

static int csv_plain(char c)
{
    return c >= 0x20 && c < 0x7F && c != '"';
}

void text_xml(FILE *out, const char *s, int attribute)
{
    for (const char *p = s ? s : ""; *p;) {
        if (xml_plain(*p)) {
            putc_unlocked(*p++, out);
            continue;
        }
        character c = next_character(p);
        const char *entity = xml_entity(c.cp, attribute);
        if (entity)
            text_put(out, entity);
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
        if (!line_start && (alnum(*p) || *p == ' ')) { /* the usual: no escape, no state */
            putc_unlocked(*p++, out);
            continue;
        }
        size_t marker = line_start ? md_list_marker(out, p) : 0;
        if (marker) {
            p += marker;
            line_start = 0;
            continue;
        }
        character c = next_character(p);
        int ascii = c.cp < 0x80;
        if (c.cp == '\n' && !cell)
            text_put(out, p[strspn(p, "\r\n\t ")] ? "\\\n" : ""); /* no break at the end */
        else if (c.cp == '\n' || c.cp == '\r' || c.cp == '\t')
            putc_unlocked(' ', out);
        else if (c.cp == '_' && intraword(s, p))
            putc_unlocked('_', out);
        else if (ascii &&
                 (strchr(md_inline, (int)c.cp) || (line_start && strchr(md_block, (int)c.cp)))) {
            putc_unlocked('\\', out);
            putc_unlocked((char)c.cp, out);
        } else
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
        putc_unlocked('"', out);
    for (const char *p = s; *p;) {
        if (csv_plain(*p)) {
            putc_unlocked(*p++, out);
            continue;
        }
        character c = next_character(p);
        if (c.cp == '"')
            text_put(out, "\"\"");
        else
            put(out, c);
        p += c.taken;
    }
    if (quoted)
        putc_unlocked('"', out);
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
    double x = 100.0 * share;
    /* units_format_number(x, 3, 2) (three significant digits, at least two decimals), its
     * usual case by text_f: reports at fleet scale print tens of thousands of shares. */
    int decimals = 2;
    if (x != 0 && isfinite(x) && fabs(x) < 1) { /* from 1 on, floor(log10) >= 0 */
        int magnitude = (int)floor(log10(fabs(x)));
        if (2 - magnitude > decimals)
            decimals = 2 - magnitude;
    }
    size_t len;
    if (decimals <= 17) {
        len = text_f(number, x, decimals);
    } else {
        units_format_number(x, 3, 2, number, sizeof number);
        len = strlen(number);
    }
    if (len + 2 <= size) { /* as snprintf "%s%%" writes it, without its cost per share */
        memcpy(buf, number, len);
        memcpy(buf + len, "%", 2);
    } else {
        snprintf(buf, size, "%s%%", number);
    }
}

void text_exact(char *buf, size_t size, double x)
{
    units_format_number(x, 0, 0, buf, size);
}

void text_count(char *buf, size_t size, uint64_t n)
{
    char digits[TEXT_NUMBER_MAX];
    int len = (int)text_u64(digits, n);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    if (size)
        buf[o < size ? o : size - 1] = '\0';
}

/* "00" to "99": digits are made two at a time. */
static const char two_digits[] = "00010203040506070809101112131415161718192021222324252627282930"
                                 "31323334353637383940414243444546474849505152535455565758596061"
                                 "62636465666768697071727374757677787980818283848586878889909192"
                                 "93949596979899";

/* The count digits of n, the last at digits[count - 1], leading zeros included. */
static void put_digits(char *digits, int count, uint64_t n)
{
    while (count >= 2) {
        uint64_t rest = n / 100;
        unsigned pair = (unsigned)(n - rest * 100) * 2;
        n = rest;
        count -= 2;
        digits[count] = two_digits[pair];
        digits[count + 1] = two_digits[pair + 1];
    }
    if (count == 1)
        digits[0] = (char)('0' + n);
}

size_t text_u64(char *buf, uint64_t n)
{
    size_t len = 1;
    for (uint64_t rest = n / 10; rest; rest /= 10)
        len++;
    put_digits(buf, (int)len, n);
    buf[len] = '\0';
    return len;
}

size_t text_i64(char *buf, long long n)
{
    if (n >= 0)
        return text_u64(buf, (uint64_t)n);
    buf[0] = '-';
    return 1 + text_u64(buf + 1, 0 - (uint64_t)n); /* LLONG_MIN too */
}

/* Wide enough for a 53-bit significand times 5^27 or shifted left by 63: the fast range. */
typedef unsigned __int128 wide;

static const uint64_t powers_of_10[20] = {1u,
                                          10u,
                                          100u,
                                          1000u,
                                          10000u,
                                          100000u,
                                          1000000u,
                                          10000000u,
                                          100000000u,
                                          1000000000u,
                                          10000000000u,
                                          100000000000u,
                                          1000000000000u,
                                          10000000000000u,
                                          100000000000000u,
                                          1000000000000000u,
                                          10000000000000000u,
                                          100000000000000000u,
                                          1000000000000000000u,
                                          10000000000000000000u};

/* 5^s for s up to 27, the largest below 2^64. */
static const uint64_t powers_of_5[28] = {1u,
                                         5u,
                                         25u,
                                         125u,
                                         625u,
                                         3125u,
                                         15625u,
                                         78125u,
                                         390625u,
                                         1953125u,
                                         9765625u,
                                         48828125u,
                                         244140625u,
                                         1220703125u,
                                         6103515625u,
                                         30517578125u,
                                         152587890625u,
                                         762939453125u,
                                         3814697265625u,
                                         19073486328125u,
                                         95367431640625u,
                                         476837158203125u,
                                         2384185791015625u,
                                         11920928955078125u,
                                         59604644775390625u,
                                         298023223876953125u,
                                         1490116119384765625u,
                                         7450580596923828125u};

/* q rounded by the remainder r of a divisor b, half to even. */
static uint64_t round_even(uint64_t q, wide r, wide b)
{
    wide twice = r << 1; /* no overflow: b < 2^127 */
    return twice > b || (twice == b && (q & 1)) ? q + 1 : q;
}

/* m * 2^e * 10^s rounded to an integer, half to even, exactly; 0 when outside the fast range
 * (the caller falls back on snprintf). The result is below 10^18 for every use here. */
static int scaled(uint64_t m, int e, int s, uint64_t *n)
{
    if (s >= 0) {
        if (s > 27) /* 5^27 < 2^63: m * 5^s fits in 128 bits */
            return 0;
        wide a = (wide)m * powers_of_5[s];
        int t = e + s;
        if (t >= 0) { /* an integer already: a * 2^t < 10^18 */
            if (t > 63)
                return 0;
            *n = (uint64_t)(a << t);
            return 1;
        }
        if (-t > 126)
            return 0;
        wide q = a >> -t;
        *n = round_even((uint64_t)q, a - (q << -t), (wide)1 << -t);
        return 1;
    }
    if (-s > 19)
        return 0;
    wide a = m, b = powers_of_10[-s];
    if (e >= 0) {
        if (e > 63)
            return 0;
        a <<= e;
    } else {
        if (-e > 62)
            return 0;
        b <<= -e;
    }
    wide q = a / b;
    *n = round_even((uint64_t)q, a - q * b, b);
    return 1;
}

size_t text_f(char *buf, double x, int decimals)
{
    uint64_t bits, n;
    memcpy(&bits, &x, sizeof bits);
    int biased = (int)(bits >> 52 & 0x7FF);
    uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
    int fast = decimals >= 0 && decimals <= 17 && fabs(x) < (double)powers_of_10[18 - decimals];
    if (x == 0 && fast) {
        n = 0;
    } else if (!fast || biased == 0 || biased == 0x7FF || !scaled(m, biased - 1075, decimals, &n)) {
        int len = snprintf(buf, TEXT_NUMBER_MAX, "%.*f", decimals, x);
        return len > 0 ? (size_t)len : 0;
    }
    size_t len = signbit(x) ? 1 : 0; /* printf keeps the sign of what rounds to 0 */
    buf[0] = '-';
    len += text_u64(buf + len, n / powers_of_10[decimals]);
    if (decimals > 0) {
        buf[len++] = '.';
        put_digits(buf + len, decimals, n % powers_of_10[decimals]);
        len += (size_t)decimals;
    }
    buf[len] = '\0';
    return len;
}

/* 10^-i, for 0 <= i <= 15: bounds only, their rounding does not matter. */
static const double tenths[16] = {1e0,  1e-1, 1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,
                                  1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15};

/* k / 1000 in decimal, without trailing zeros (nor a point when whole), after a '-' when
 * negative. Returns the length. */
static size_t thousandths_text(char *buf, int negative, uint64_t k)
{
    size_t len = negative ? 1 : 0;
    buf[0] = '-';
    len += text_u64(buf + len, k / 1000);
    unsigned frac = (unsigned)(k % 1000);
    if (frac) {
        buf[len++] = '.';
        for (unsigned unit = 100; frac; unit /= 10) {
            buf[len++] = (char)('0' + frac / unit);
            frac %= unit;
        }
    }
    buf[len] = '\0';
    return len;
}

size_t text_g(char *buf, double x, int precision)
{
    if (x == 0 && precision >= 1 && precision <= 17) {
        size_t len = 0;
        if (signbit(x))
            buf[len++] = '-';
        buf[len++] = '0';
        buf[len] = '\0';
        return len;
    }
    double a = fabs(x);
    if (a < 1e17 && precision >= 1 && precision <= 17 && a < (double)powers_of_10[precision] &&
        a == (double)(uint64_t)a) { /* a whole number of at most `precision` digits */
        size_t sign = x < 0;
        buf[0] = '-';
        return sign + text_u64(buf + sign, (uint64_t)a);
    }
    if (precision <= 15 && a < 1e12) { /* the times of a run's bins: 0.05, 12.5, 600.25 */
        /* a near d = k / 1000, k with D <= precision digits (so d has at most `precision`
         * significant digits and the exponent D - 4, from -3 to precision - 4: %g writes it
         * without an exponent). When a is within a quarter of 10^(D - 4 - precision), the
         * unit of the last digit for a number one exponent below d's (a = 0.9999999999 is
         * below d = 1 and keeps its ten nines), %g rounds a to d and writes d's digits
         * without trailing zeros: a tie is at least half a unit away, and the quarter leaves
         * room for the rounding of the test (fma gives 1000 a - k to within 2^-53 of itself;
         * k < 2^53 is exact). */
        double k = round(a * 1000.0);
        if (k >= 1.0 && k < (double)powers_of_10[precision]) {
            uint64_t thousandths = (uint64_t)k;
            int digits = 1;
            while (thousandths >= powers_of_10[digits])
                digits++;
            if (fabs(fma(a, 1000.0, -k)) < 0.25 * tenths[precision - digits + 1])
                return thousandths_text(buf, x < 0, thousandths);
        }
    }
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int biased = (int)(bits >> 52 & 0x7FF); /* 0: subnormal, 0x7FF: NaN or infinite */
    uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52, n = 0;
    int e = biased - 1075; /* |x| = m * 2^e, in [2^(e + 52), 2^(e + 53)) */
    /* The decimal exponent, floor((e + 52) log10(2)), at most one too small: 78913 / 2^18 is
     * log10(2) within 3e-8, no (e + 52) * log10(2) here is that close to a whole number but
     * 0, and >> on a negative int rounds down on every compiler this builds with. */
    int exponent = ((e + 52) * 78913) >> 18;
    int fast = biased != 0 && biased != 0x7FF && precision >= 1 && precision <= 17;
    while (fast) {
        fast = scaled(m, e, precision - 1 - exponent, &n);
        if (!fast || n < powers_of_10[precision])
            break;
        exponent++; /* too small, or rounding carried into a new digit */
    }
    if (!fast || n < powers_of_10[precision - 1]) {
        int len = snprintf(buf, TEXT_NUMBER_MAX, "%.*g", precision, x);
        return len > 0 ? (size_t)len : 0;
    }
    /* Without trailing zeros, as %g drops them: 8, 4, 2 and 1 at a time (n's first digit is
     * not 0, so at least one stays). */
    int shown = precision;
    while (n % 100000000u == 0) {
        n /= 100000000u;
        shown -= 8;
    }
    for (int k = 4; k >= 1; k /= 2)
        if (n % powers_of_10[k] == 0) {
            n /= powers_of_10[k];
            shown -= k;
        }
    char digits[17];
    put_digits(digits, shown, n);
    size_t len = 0;
    if (x < 0)
        buf[len++] = '-';
    if (exponent < -4 || exponent >= precision) { /* d.ddde+XX */
        buf[len++] = digits[0];
        if (shown > 1)
            buf[len++] = '.';
        for (int i = 1; i < shown; i++)
            buf[len++] = digits[i];
        buf[len++] = 'e';
        buf[len++] = exponent < 0 ? '-' : '+';
        int magnitude = abs(exponent);
        if (magnitude >= 100)
            buf[len++] = (char)('0' + magnitude / 100);
        buf[len++] = (char)('0' + magnitude / 10 % 10);
        buf[len++] = (char)('0' + magnitude % 10);
    } else if (exponent >= 0) { /* ddd.ddd */
        for (int i = 0; i <= exponent; i++)
            buf[len++] = i < shown ? digits[i] : '0';
        if (shown > exponent + 1)
            buf[len++] = '.';
        for (int i = exponent + 1; i < shown; i++)
            buf[len++] = digits[i];
    } else { /* 0.000ddd */
        buf[len++] = '0';
        buf[len++] = '.';
        for (int i = -1; i > exponent; i--)
            buf[len++] = '0';
        for (int i = 0; i < shown; i++)
            buf[len++] = digits[i];
    }
    buf[len] = '\0';
    return len;
}
