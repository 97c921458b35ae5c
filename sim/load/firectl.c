/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/firectl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64              /* far more than any firectl line needs */
#define SCALE_TO_ZERO_MIN_S 300.0 /* the platform's minimum --scale-to-zero-window, 5m */
#define LOAD_TARGET_MAX 1e9       /* per replica; anything larger is a typo */
#define LOAD_ITEM_MAX 128         /* bytes of one key=value item; no valid one is near */

/* What an argument holds, which decides how its text is checked and where it goes. */
typedef enum {
    ARG_NONE,
    ARG_ROUTER_ID,
    ARG_DEPLOYMENT_ID,
    ARG_DEPLOYMENTS,
    ARG_DISPLAY_NAME,
    ARG_MODEL,
    ARG_STRATEGY,
    ARG_PUBLIC,
    ARG_REGION,
    ARG_COUNT,
    ARG_WINDOW,      /* an autoscaling window: a duration, the flag's bit says which */
    ARG_LOAD_TARGETS /* key=value,... */
} arg_kind;

typedef struct {
    const char *name; /* with its leading "--" */
    arg_kind kind;
    unsigned set; /* the WORLD_SET_* bit it sets; 0 for an id */
    int required;
} flag_spec;

typedef struct {
    const char *resource, *verb;
    world_op op;
    arg_kind positional; /* the one positional argument, or ARG_NONE */
    const flag_spec *flags;
    int needs_flag; /* an update: without any flag (any WORLD_SET_* bit) it changes nothing */
} command_spec;

static const flag_spec router_create_flags[] = {
    {"--router-id", ARG_ROUTER_ID, 0, 0},
    {"--deployments", ARG_DEPLOYMENTS, WORLD_SET_DEPLOYMENTS, 1},
    {"--display-name", ARG_DISPLAY_NAME, WORLD_SET_DISPLAY_NAME, 0},
    {"--model", ARG_MODEL, WORLD_SET_MODEL, 0},
    {"--strategy", ARG_STRATEGY, WORLD_SET_STRATEGY, 0},
    {"--public", ARG_PUBLIC, WORLD_SET_PUBLIC, 0},
    {NULL, ARG_NONE, 0, 0}};

static const flag_spec router_update_flags[] = {
    {"--deployments", ARG_DEPLOYMENTS, WORLD_SET_DEPLOYMENTS, 0},
    {"--display-name", ARG_DISPLAY_NAME, WORLD_SET_DISPLAY_NAME, 0},
    {"--model", ARG_MODEL, WORLD_SET_MODEL, 0},
    {"--strategy", ARG_STRATEGY, WORLD_SET_STRATEGY, 0},
    {"--public", ARG_PUBLIC, WORLD_SET_PUBLIC, 0},
    {NULL, ARG_NONE, 0, 0}};

/* deployment create and update both end with the autoscaler's settings. */
static const flag_spec deployment_create_flags[] = {
    {"--deployment-id", ARG_DEPLOYMENT_ID, 0, 1},
    {"--region", ARG_REGION, WORLD_SET_REGION, 0},
    {"--min-replica-count", ARG_COUNT, WORLD_SET_MIN, 0},
    {"--max-replica-count", ARG_COUNT, WORLD_SET_MAX, 0},
    {"--scale-up-window", ARG_WINDOW, WORLD_SET_SCALE_UP_WINDOW, 0},
    {"--scale-down-window", ARG_WINDOW, WORLD_SET_SCALE_DOWN_WINDOW, 0},
    {"--scale-to-zero-window", ARG_WINDOW, WORLD_SET_SCALE_TO_ZERO_WINDOW, 0},
    {"--load-targets", ARG_LOAD_TARGETS, WORLD_SET_LOAD_TARGETS, 0},
    {NULL, ARG_NONE, 0, 0}};

static const flag_spec deployment_update_flags[] = {
    {"--min-replica-count", ARG_COUNT, WORLD_SET_MIN, 0},
    {"--max-replica-count", ARG_COUNT, WORLD_SET_MAX, 0},
    {"--scale-up-window", ARG_WINDOW, WORLD_SET_SCALE_UP_WINDOW, 0},
    {"--scale-down-window", ARG_WINDOW, WORLD_SET_SCALE_DOWN_WINDOW, 0},
    {"--scale-to-zero-window", ARG_WINDOW, WORLD_SET_SCALE_TO_ZERO_WINDOW, 0},
    {"--load-targets", ARG_LOAD_TARGETS, WORLD_SET_LOAD_TARGETS, 0},
    {NULL, ARG_NONE, 0, 0}};

static const flag_spec deployment_scale_flags[] = {
    {"--replica-count", ARG_COUNT, WORLD_SET_REPLICAS, 1}, {NULL, ARG_NONE, 0, 0}};

static const flag_spec no_flags[] = {{NULL, ARG_NONE, 0, 0}};

static const command_spec commands[] = {
    {"router", "create", WORLD_ROUTER_CREATE, ARG_NONE, router_create_flags, 0},
    {"router", "update", WORLD_ROUTER_UPDATE, ARG_ROUTER_ID, router_update_flags, 1},
    {"router", "delete", WORLD_ROUTER_DELETE, ARG_ROUTER_ID, no_flags, 0},
    {"deployment", "create", WORLD_DEPLOYMENT_CREATE, ARG_MODEL, deployment_create_flags, 0},
    {"deployment", "update", WORLD_DEPLOYMENT_UPDATE, ARG_DEPLOYMENT_ID, deployment_update_flags,
     1},
    {"deployment", "scale", WORLD_DEPLOYMENT_SCALE, ARG_DEPLOYMENT_ID, deployment_scale_flags, 0},
    {"deployment", "delete", WORLD_DEPLOYMENT_DELETE, ARG_DEPLOYMENT_ID, no_flags, 0},
};
#define N_COMMANDS (sizeof commands / sizeof *commands)

/* firectl verbs that only read: accepted by firectl, meaningless on a timeline. */
static const char *const read_only_verbs[] = {"get", "list"};

typedef struct {
    const char *text; /* unquoted, NUL-terminated, in the parser's buffer */
    int offset;       /* of the word's first character in the line */
} word;

typedef struct {
    const char *line;
    const char *account;
    world_cmd *cmd;
    char *err;
    size_t errlen;
    int *err_offset;
    char *buf; /* the words' text; never longer than the line */
    word words[MAX_WORDS];
    size_t n;
    const command_spec *spec;
    int seen[MAX_WORDS]; /* offset of each flag of spec->flags once given, else -1 */
} parser;

static int fail(parser *p, int offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(parser *p, int offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    *p->err_offset = offset;
    return -1;
}

/* ---- words ---------------------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of a backslash-newline continuation at s (CR LF too), or 0. */
static size_t continuation(const char *s)
{
    if (s[0] != '\\')
        return 0;
    if (s[1] == '\n')
        return 2;
    return s[1] == '\r' && s[2] == '\n' ? 3 : 0;
}

/* A backslash standing alone between blanks is a continuation whose newline YAML folded
 * into a space (a plain or folded scalar), or the docs' trailing backslash at the end. */
static int lone_backslash(const char *s)
{
    return s[0] == '\\' && (s[1] == '\0' || is_space(s[1]));
}

/* Skip blanks and continuations; returns the start of the next word. */
static const char *skip_blanks(const char *s)
{
    for (;;) {
        size_t n = continuation(s);
        if (n)
            s += n;
        else if (lone_backslash(s))
            s++;
        else if (is_space(*s))
            s++;
        else
            return s;
    }
}

/* Copy a quoted part starting at the opening quote; inside double quotes a backslash
 * escapes only what the shell lets it escape. Returns the character after the closing
 * quote, or NULL when the quote is never closed. */
static const char *copy_quoted(const char *s, char **out)
{
    char quote = *s++;
    while (*s && *s != quote) {
        size_t n = quote == '"' ? continuation(s) : 0;
        if (n) {
            s += n;
            continue;
        }
        if (quote == '"' && s[0] == '\\' && s[1] && strchr("\"\\$`", s[1]))
            s++;
        *(*out)++ = *s++;
    }
    return *s ? s + 1 : NULL;
}

/* One word from s into *out; returns the character after it, or NULL (with the error
 * reported) on an unclosed quote. */
static const char *copy_word(parser *p, const char *s, char **out)
{
    while (*s && !is_space(*s)) {
        size_t n = continuation(s);
        if (n) {
            s += n;
        } else if (*s == '\'' || *s == '"') {
            const char *open = s;
            s = copy_quoted(s, out);
            if (!s) {
                fail(p, (int)(open - p->line), "expected a closing %c quote", *open);
                return NULL;
            }
        } else {
            if (*s == '\\' && s[1])
                s++;
            *(*out)++ = *s++;
        }
    }
    *(*out)++ = '\0';
    return s;
}

/* Split the line into words as a shell would (quotes, backslashes, continuations). Each
 * word's text is no longer than its spelling plus the blank after it, so the buffer of the
 * line's length plus one holds them all. */
static int split_words(parser *p)
{
    p->buf = malloc(strlen(p->line) + 1);
    if (!p->buf)
        return fail(p, -1, "out of memory");
    char *out = p->buf;
    for (const char *s = skip_blanks(p->line); *s; s = skip_blanks(s)) {
        if (p->n == MAX_WORDS)
            return fail(p, (int)(s - p->line), "expected at most %d words on a firectl line",
                        MAX_WORDS);
        p->words[p->n] = (word){out, (int)(s - p->line)};
        if (!(s = copy_word(p, s, &out)))
            return -1;
        p->n++;
    }
    return 0;
}

/* ---- values --------------------------------------------------------------------------- */

static int set_id(parser *p, const word *w, units_kind kind, const char *flag)
{
    char why[384];
    if (units_resolve(w->text, p->account, kind, p->cmd->id, why, sizeof why) == 0)
        return 0;
    return fail(p, w->offset, "%s%s%s", flag ? flag : "", flag ? ": " : "", why);
}

/* A comma-separated list of deployments. An item too long for the copy is cut, which
 * cannot make it valid: a valid reference is far shorter than UNITS_NAME_MAX. */
static int set_deployments(parser *p, const word *w)
{
    char q[UNITS_QUOTE_BUF], why[384], item[UNITS_NAME_MAX];
    world_id id;
    for (const char *s = w->text;; s++) {
        size_t len = strcspn(s, ",");
        if (len == 0)
            return fail(p, w->offset,
                        "--deployments: expected deployment ids separated by single commas, got "
                        "an empty item in \"%s\"",
                        units_quote(w->text, q, sizeof q));
        snprintf(item, sizeof item, "%.*s", (int)len, s);
        if (units_resolve(item, p->account, UNITS_DEPLOYMENT, id, why, sizeof why) != 0)
            return fail(p, w->offset, "--deployments: %s", why);
        if (world_cmd_add_deployment(p->cmd, id) != 0)
            return fail(p, -1, "out of memory");
        s += len;
        if (*s == '\0')
            return 0;
    }
}

static int set_display_name(parser *p, const word *w)
{
    size_t len = strlen(w->text);
    if (len >= UNITS_NAME_MAX)
        return fail(p, w->offset, "--display-name: expected at most %d bytes, got %zu",
                    UNITS_NAME_MAX - 1, len);
    for (const unsigned char *c = (const unsigned char *)w->text; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return fail(p, w->offset, "--display-name: expected text without control characters");
    if (world_cmd_set_text(&p->cmd->display_name, w->text) != 0)
        return fail(p, w->offset, "out of memory");
    return 0;
}

static int set_model(parser *p, const word *w, const char *flag)
{
    char why[384], model[UNITS_NAME_MAX];
    if (units_resolve_model(w->text, p->account, model, why, sizeof why) == 0)
        return world_cmd_set_text(&p->cmd->model, model) == 0 ? 0
                                                              : fail(p, w->offset, "out of memory");
    return fail(p, w->offset, "%s%s%s", flag ? flag : "", flag ? ": " : "", why);
}

static int set_strategy(parser *p, const word *w)
{
    char q[UNITS_QUOTE_BUF];
    if (strcmp(w->text, "weighted-random") == 0)
        p->cmd->strategy = SELECTOR_WEIGHTED_RANDOM;
    else if (strcmp(w->text, "even-load") == 0)
        p->cmd->strategy = SELECTOR_EVEN_LOAD;
    else
        return fail(p, w->offset, "--strategy: expected weighted-random or even-load, got \"%s\"",
                    units_quote(w->text, q, sizeof q));
    return 0;
}

static int set_public(parser *p, const word *w)
{
    char why[384];
    if (units_parse_bool(w->text, &p->cmd->is_public, why, sizeof why) == 0)
        return 0;
    return fail(p, w->offset, "--public: %s", why);
}

/* Regions keep their case: mega-regions are written US, EUROPE, APAC. */
static int set_region(parser *p, const word *w)
{
    char q[UNITS_QUOTE_BUF];
    size_t len = strspn(w->text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789-");
    if (len == 0 || w->text[len] != '\0' || len >= WORLD_REGION_MAX)
        return fail(p, w->offset,
                    "--region: expected a region like US, EUROPE, APAC or us-iowa-1 (letters, "
                    "digits and hyphens, at most %d characters), got \"%s\"",
                    WORLD_REGION_MAX - 1, units_quote(w->text, q, sizeof q));
    if (world_cmd_set_text(&p->cmd->region, w->text) != 0)
        return fail(p, w->offset, "out of memory");
    return 0;
}

static int set_count(parser *p, const word *w, const flag_spec *flag)
{
    char why[384];
    long long value;
    if (units_parse_int(w->text, 0, WORLD_MAX_REPLICAS, &value, why, sizeof why) != 0)
        return fail(p, w->offset, "%s: %s", flag->name, why);
    if (flag->set == WORLD_SET_MIN)
        p->cmd->min_replicas = value;
    else if (flag->set == WORLD_SET_MAX)
        p->cmd->max_replicas = value;
    else
        p->cmd->replicas = value;
    return 0;
}

/* ---- autoscaling ---------------------------------------------------------------------- */

static double *window_field(world_autoscaling *a, unsigned bit)
{
    switch (bit) {
    case WORLD_SET_SCALE_UP_WINDOW:
        return &a->scale_up_window_s;
    case WORLD_SET_SCALE_DOWN_WINDOW:
        return &a->scale_down_window_s;
    default:
        return &a->scale_to_zero_window_s;
    }
}

/* A window is a duration above 0; scaling to zero waits at least the platform's 5m. */
static int set_window(parser *p, const word *w, const flag_spec *flag)
{
    char q[UNITS_QUOTE_BUF], why[384];
    double seconds;
    if (units_parse_duration(w->text, &seconds, why, sizeof why) != 0)
        return fail(p, w->offset, "%s: %s", flag->name, why);
    if (flag->set == WORLD_SET_SCALE_TO_ZERO_WINDOW && seconds < SCALE_TO_ZERO_MIN_S)
        return fail(p, w->offset,
                    "%s: expected a duration of at least 5m (the platform's minimum), got \"%s\"",
                    flag->name, units_quote(w->text, q, sizeof q));
    if (seconds <= 0)
        return fail(p, w->offset, "%s: expected a duration greater than 0, got \"%s\"", flag->name,
                    units_quote(w->text, q, sizeof q));
    *window_field(&p->cmd->autoscaling, flag->set) = seconds;
    return 0;
}

/* The --load-targets keys routersim models, with the largest value each takes. */
typedef struct {
    const char *key;
    char letter;      /* the value's name in a message: F for a fraction, N for a number */
    const char *what; /* the value's meaning, for a message */
    double max;
} load_target;

static const load_target load_targets[] = {
    {"default", 'F', "a fraction of each replica's concurrency", 1},
    {"requests_per_second", 'N', "requests per second per replica", LOAD_TARGET_MAX},
    {"concurrent_requests", 'N', "concurrent requests per replica", LOAD_TARGET_MAX},
    {"tokens_generated_per_second", 'N', "output tokens per second per replica", LOAD_TARGET_MAX},
    {"prompt_tokens_per_second", 'N', "prompt tokens per second per replica", LOAD_TARGET_MAX},
};
#define N_LOAD_TARGETS (sizeof load_targets / sizeof *load_targets)

static double *load_target_field(world_autoscaling *a, size_t k)
{
    double *fields[N_LOAD_TARGETS] = {
        &a->load_fraction, &a->load_requests_per_second, &a->load_concurrent_requests,
        &a->load_tokens_generated_per_second, &a->load_prompt_tokens_per_second};
    return fields[k];
}

/* Byte offset in the line of `at`, a character inside some word's text (or its end): exact
 * when the line spells that word verbatim up to and including `at` (no quote, escape or
 * continuation before it), else the offset of the value w. */
static int offset_of(const parser *p, const word *w, const char *at)
{
    for (size_t i = 0; i < p->n; i++) {
        const word *src = &p->words[i];
        if (at < src->text || at > src->text + strlen(src->text))
            continue;
        size_t before = (size_t)(at - src->text);
        if (strncmp(p->line + src->offset, src->text, before + (*at != '\0')) == 0)
            return src->offset + (int)before;
    }
    return w->offset;
}

/* Which load target `key` names; -1 (with the error reported) for any other key. */
static int find_load_target(parser *p, const char *key, int at)
{
    char q[UNITS_QUOTE_BUF];
    for (size_t k = 0; k < N_LOAD_TARGETS; k++)
        if (strcmp(load_targets[k].key, key) == 0)
            return (int)k;
    return fail(p, at,
                "--load-targets: expected the key default, requests_per_second, "
                "concurrent_requests, tokens_generated_per_second or prompt_tokens_per_second, "
                "got \"%s\"",
                units_quote(key, q, sizeof q));
}

/* One key=value item of `len` bytes at `item`; seen[k] is the offset of target k once given. */
static int take_load_target(parser *p, const word *w, const char *item, size_t len, int *seen)
{
    char q[UNITS_QUOTE_BUF], text[LOAD_ITEM_MAX];
    int at = offset_of(p, w, item);
    if (len == 0)
        return fail(p, at,
                    "--load-targets: expected key=value items separated by single commas, got an "
                    "empty item in \"%s\"",
                    units_quote(w->text, q, sizeof q));
    if (len >= sizeof text)
        return fail(p, at, "--load-targets: expected an item of at most %zu bytes, got %zu",
                    sizeof text - 1, len);
    memcpy(text, item, len);
    text[len] = '\0';
    char *eq = strchr(text, '=');
    if (!eq || eq == text || eq[1] == '\0')
        return fail(p, at, "--load-targets: expected an item key=value, got \"%s\"",
                    units_quote(text, q, sizeof q));
    *eq = '\0';
    int k = find_load_target(p, text, at);
    if (k < 0)
        return -1;
    if (seen[k] >= 0)
        return fail(p, at, "--load-targets: expected %s once, got it twice (first at byte %d)",
                    text, seen[k]);
    seen[k] = at;
    const load_target *t = &load_targets[k];
    double *field = load_target_field(&p->cmd->autoscaling, (size_t)k);
    if (units_parse_real(eq + 1, 0, t->max, field, NULL, 0) == 0 && *field > 0)
        return 0;
    *eq = '=';
    return fail(p, at, "--load-targets: expected %s=%c with 0 < %c <= %g (%s), got \"%s\"", t->key,
                t->letter, t->letter, t->max, t->what, units_quote(text, q, sizeof q));
}

/* The list replaces all the targets: a rate or count target that it does not name stays 0
 * (unset) as the zeroed command left it; default, when not named, is
 * the platform's 0.8, so an added target never switches the in-flight target off. */
static int set_load_targets(parser *p, const word *w)
{
    p->cmd->autoscaling.load_fraction = WORLD_DEFAULT_LOAD_FRACTION;
    int seen[N_LOAD_TARGETS];
    for (size_t k = 0; k < N_LOAD_TARGETS; k++)
        seen[k] = -1;
    for (const char *item = w->text;; item++) {
        size_t len = strcspn(item, ",");
        if (take_load_target(p, w, item, len, seen) != 0)
            return -1;
        item += len;
        if (*item == '\0')
            return 0;
    }
}

/* Store one flag's value (or the positional argument, when flag is NULL). */
static int set_value(parser *p, arg_kind kind, const flag_spec *flag, const word *w)
{
    const char *name = flag ? flag->name : NULL;
    switch (kind) {
    case ARG_ROUTER_ID:
        return set_id(p, w, UNITS_ROUTER, name);
    case ARG_DEPLOYMENT_ID:
        return set_id(p, w, UNITS_DEPLOYMENT, name);
    case ARG_DEPLOYMENTS:
        return set_deployments(p, w);
    case ARG_DISPLAY_NAME:
        return set_display_name(p, w);
    case ARG_MODEL:
        return set_model(p, w, name);
    case ARG_STRATEGY:
        return set_strategy(p, w);
    case ARG_PUBLIC:
        return set_public(p, w);
    case ARG_REGION:
        return set_region(p, w);
    case ARG_COUNT:
        return set_count(p, w, flag);
    case ARG_WINDOW:
        return set_window(p, w, flag);
    case ARG_LOAD_TARGETS:
        return set_load_targets(p, w);
    case ARG_NONE:
        break;
    }
    return 0;
}

/* ---- the command ---------------------------------------------------------------------- */

/* "a, b or c" from a list of names. */
static void join_names(char *out, size_t size, const char *const *names, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s",
                                 i == 0       ? ""
                                 : i + 1 == n ? " or "
                                              : ", ",
                                 names[i]);
}

static void verbs_of(const char *resource, char *out, size_t size)
{
    const char *verbs[N_COMMANDS];
    size_t n = 0;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].resource, resource) == 0)
            verbs[n++] = commands[i].verb;
    join_names(out, size, verbs, n);
}

static void flags_of(const command_spec *spec, char *out, size_t size)
{
    const char *names[MAX_WORDS];
    size_t n = 0;
    for (const flag_spec *f = spec->flags; f->name; f++)
        names[n++] = f->name;
    join_names(out, size, names, n);
}

static int find_resource(parser *p)
{
    char q[UNITS_QUOTE_BUF];
    if (p->n < 2)
        return fail(p, -1, "expected router or deployment after firectl");
    const word *w = &p->words[1];
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].resource, w->text) == 0)
            return 0;
    return fail(p, w->offset, "expected router or deployment after firectl, got \"%s\"",
                units_quote(w->text, q, sizeof q));
}

static int find_command(parser *p)
{
    char q[UNITS_QUOTE_BUF], verbs[128];
    const char *resource = p->words[1].text;
    verbs_of(resource, verbs, sizeof verbs);
    if (p->n < 3)
        return fail(p, -1, "expected %s after firectl %s", verbs, resource);
    const word *w = &p->words[2];
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].resource, resource) == 0 && strcmp(commands[i].verb, w->text) == 0) {
            p->spec = &commands[i];
            return 0;
        }
    for (size_t i = 0; i < sizeof read_only_verbs / sizeof *read_only_verbs; i++)
        if (strcmp(read_only_verbs[i], w->text) == 0)
            return fail(p, w->offset,
                        "firectl %s %s changes nothing; a timeline line must change the world "
                        "(expected %s)",
                        resource, w->text, verbs);
    return fail(p, w->offset, "expected %s after firectl %s, got \"%s\"", verbs, resource,
                units_quote(w->text, q, sizeof q));
}

/* The flag a word names, "--name" or "--name=value"; NULL when the command has none. */
static const flag_spec *find_flag(const command_spec *spec, const char *text)
{
    size_t len = strcspn(text, "=");
    for (const flag_spec *f = spec->flags; f->name; f++)
        if (strlen(f->name) == len && strncmp(f->name, text, len) == 0)
            return f;
    return NULL;
}

static int unknown_flag(parser *p, const word *w)
{
    char q[UNITS_QUOTE_BUF], flags[256];
    const command_spec *spec = p->spec;
    if (strncmp(w->text, "--dry-run", 9) == 0 && (w->text[9] == '\0' || w->text[9] == '='))
        return fail(p, w->offset,
                    "--dry-run changes nothing; a timeline line must change the world "
                    "(expected the command without it)");
    if (!spec->flags->name)
        return fail(p, w->offset, "expected no flags after firectl %s %s, got \"%s\"",
                    spec->resource, spec->verb, units_quote(w->text, q, sizeof q));
    flags_of(spec, flags, sizeof flags);
    return fail(p, w->offset, "expected a flag of firectl %s %s (%s), got \"%s\"", spec->resource,
                spec->verb, flags, units_quote(w->text, q, sizeof q));
}

/* A flag's value: the text after '=', the next word (then *i moves past it), or "true"
 * for a bare --public. */
static int flag_value(parser *p, const flag_spec *flag, size_t *i, word *value)
{
    char q[UNITS_QUOTE_BUF];
    const word *w = &p->words[*i];
    char *eq = strchr(w->text, '=');
    if (eq) {
        *value = (word){eq + 1, w->offset};
    } else if (flag->kind == ARG_PUBLIC) {
        *value = (word){"true", w->offset};
    } else if (*i + 1 == p->n) {
        return fail(p, w->offset, "expected a value after %s", flag->name);
    } else if (strncmp(p->words[*i + 1].text, "--", 2) == 0) {
        return fail(p, w->offset, "expected a value after %s, got the flag \"%s\"", flag->name,
                    units_quote(p->words[*i + 1].text, q, sizeof q));
    } else {
        *value = p->words[++*i];
    }
    if (value->text[0] == '\0' && flag->kind != ARG_DISPLAY_NAME)
        return fail(p, w->offset, "expected a value after %s, got nothing", flag->name);
    return 0;
}

static int take_flag(parser *p, size_t *i)
{
    const word *w = &p->words[*i];
    const flag_spec *flag = find_flag(p->spec, w->text);
    if (!flag)
        return unknown_flag(p, w);
    int *seen = &p->seen[flag - p->spec->flags];
    if (*seen >= 0)
        return fail(p, w->offset, "expected %s once, got it twice (first at byte %d)", flag->name,
                    *seen);
    *seen = w->offset;
    word value;
    if (flag_value(p, flag, i, &value) != 0)
        return -1;
    p->cmd->set |= flag->set;
    return set_value(p, flag->kind, flag, &value);
}

static const char *positional_what(arg_kind kind)
{
    switch (kind) {
    case ARG_ROUTER_ID:
        return "a router id or full name";
    case ARG_DEPLOYMENT_ID:
        return "a deployment id or full name";
    default:
        return "a model such as accounts/fireworks/models/llama-v3p1-8b";
    }
}

/* A word that is not a flag: the command's one positional argument, or a stray. */
static int take_positional(parser *p, size_t i, int *have)
{
    char q[UNITS_QUOTE_BUF];
    const word *w = &p->words[i];
    const command_spec *spec = p->spec;
    if (spec->positional != ARG_NONE && !*have) {
        *have = 1;
        if (spec->positional == ARG_MODEL)
            p->cmd->set |= WORLD_SET_MODEL;
        return set_value(p, spec->positional, NULL, w);
    }
    const char *hint = i > 3 && strcmp(p->words[i - 1].text, "--public") == 0
                           ? " (--public takes no separate value: write --public=false)"
                           : "";
    if (spec->positional == ARG_NONE)
        return fail(p, w->offset, "expected only flags after firectl %s %s, got \"%s\"%s",
                    spec->resource, spec->verb, units_quote(w->text, q, sizeof q), hint);
    return fail(p, w->offset,
                "expected one argument, %s, after firectl %s %s, got another: \"%s\"%s",
                positional_what(spec->positional), spec->resource, spec->verb,
                units_quote(w->text, q, sizeof q), hint);
}

/* What the whole line must have: its positional argument, its required flags, and for an
 * update, something to change. */
static int check_complete(parser *p, int have_positional)
{
    char flags[256];
    const command_spec *spec = p->spec;
    if (spec->positional != ARG_NONE && !have_positional)
        return fail(p, -1, "expected %s after firectl %s %s", positional_what(spec->positional),
                    spec->resource, spec->verb);
    for (const flag_spec *f = spec->flags; f->name; f++)
        if (f->required && p->seen[f - spec->flags] < 0)
            return fail(p, -1, "expected %s on firectl %s %s", f->name, spec->resource, spec->verb);
    if (spec->needs_flag && p->cmd->set == 0) {
        flags_of(spec, flags, sizeof flags);
        return fail(p, -1, "expected %s on firectl %s %s: without them it changes nothing", flags,
                    spec->resource, spec->verb);
    }
    return 0;
}

static int parse_arguments(parser *p)
{
    int have_positional = 0;
    for (size_t i = 0; i < MAX_WORDS; i++)
        p->seen[i] = -1;
    for (size_t i = 3; i < p->n; i++) {
        const char *text = p->words[i].text;
        int status = text[0] == '-' && text[1] != '\0' ? take_flag(p, &i)
                                                       : take_positional(p, i, &have_positional);
        if (status != 0)
            return -1;
    }
    return check_complete(p, have_positional);
}

static int parse_words(parser *p)
{
    char q[UNITS_QUOTE_BUF];
    if (p->n == 0)
        return fail(p, -1, "expected a firectl command, got an empty line");
    if (strcmp(p->words[0].text, "firectl") != 0)
        return fail(p, p->words[0].offset, "expected a line starting with firectl, got \"%s\"",
                    units_quote(p->words[0].text, q, sizeof q));
    if (find_resource(p) != 0 || find_command(p) != 0)
        return -1;
    p->cmd->op = p->spec->op;
    return parse_arguments(p);
}

int firectl_parse(const char *line, const char *account, world_cmd *cmd, char *err, size_t errlen,
                  int *err_offset)
{
    int ignored;
    parser p = {.line = line,
                .account = account,
                .cmd = cmd,
                .err = err,
                .errlen = errlen,
                .err_offset = err_offset ? err_offset : &ignored};
    world_cmd_init(cmd);
    *p.err_offset = -1;
    int status = split_words(&p) == 0 ? parse_words(&p) : -1;
    free(p.buf);
    if (status != 0)
        world_cmd_clear(cmd);
    return status;
}
