/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/gnuplot.h"

#include "sim/base/syserr.h"
#include "views/text.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct gnuplot {
    FILE *script; /* an unlinked temporary file: the script until gnuplot starts */
    FILE *errors; /* gnuplot's stderr: an unlinked temporary file it inherits */
    FILE *pipe;   /* gnuplot's stdin once started; NULL when it could not be started */
    int started;
    int start_errno; /* why it could not be started */
    int write_errno; /* the first failed write, into the script or the pipe */
};

/*
 * A write to a gnuplot that died raises SIGPIPE, which by default kills the process. The
 * signal's disposition is process-wide, and replications run on several threads: ignoring it
 * for the session and restoring it afterwards would let one thread's restore land in the
 * middle of another's writes. So while it writes into the pipe, a session blocks SIGPIPE
 * for the calling thread only (a broken pipe's SIGPIPE goes to the thread that wrote), and
 * takes any SIGPIPE its writes left pending before unblocking it; the write itself fails
 * with EPIPE, which the session remembers. gnuplot inherits the mask, harmlessly: it writes
 * to no pipe.
 */
typedef struct {
    sigset_t saved;
    int was_pending; /* a SIGPIPE was pending for the thread already: not ours to take */
} sigpipe_hold;

static sigset_t sigpipe_only(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return set;
}

static void hold_sigpipe(sigpipe_hold *h)
{
    sigset_t set = sigpipe_only(), pending;
    pthread_sigmask(SIG_BLOCK, &set, &h->saved);
    h->was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

static void release_sigpipe(const sigpipe_hold *h)
{
    sigset_t set = sigpipe_only();
    if (!h->was_pending && !sigismember(&h->saved, SIGPIPE)) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&set, NULL, &now) == SIGPIPE)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &h->saved, NULL);
}

gnuplot *gnuplot_open(char *err, size_t errlen)
{
    gnuplot *g = calloc(1, sizeof *g);
    if (!g || !(g->script = tmpfile()) || !(g->errors = tmpfile())) {
        snprintf(err, errlen, "cannot start gnuplot: %s", SYSERR(g ? errno : ENOMEM));
        if (g && g->script)
            fclose(g->script);
        free(g);
        return NULL;
    }
    return g;
}

static void wrote(gnuplot *g, int rc)
{
    if (rc < 0 && g->write_errno == 0)
        g->write_errno = errno ? errno : EIO;
}

void gnuplot_printf(gnuplot *g, const char *fmt, ...)
{
    if (g->write_errno || g->started)
        return;
    va_list ap;
    va_start(ap, fmt);
    wrote(g, vfprintf(g->script, fmt, ap));
    va_end(ap);
}

/* Characters the plot font draws: "sans" is DejaVu Sans on Debian (fontconfig's default),
 * which covers Latin, Greek, Cyrillic, punctuation and common symbols. For any other
 * character pango draws a missing-glyph box that cairo scales to cover the whole PNG, so
 * those are shown as '?'; the reports carry the text in full. */
static int drawable(uint32_t cp)
{
    static const uint32_t ranges[][2] = {{0x20, 0x7E},     {0xA0, 0x52F},    {0x1E00, 0x1EFF},
                                         {0x2000, 0x206F}, {0x20A0, 0x20BF}, {0x2100, 0x214F},
                                         {0x2190, 0x22FF}, {0x2500, 0x259F}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return 1;
    return 0;
}

void gnuplot_string(gnuplot *g, const char *s)
{
    gnuplot_printf(g, "'");
    for (const char *p = s ? s : ""; *p && !g->write_errno;) {
        uint32_t cp;
        size_t len = text_utf8_next(p, &cp);
        if (len > 0 && cp < 0x20)
            gnuplot_printf(g, " ");
        else if (len == 0 || !drawable(cp))
            gnuplot_printf(g, "?");
        else if (cp == '\'')
            gnuplot_printf(g, "''");
        else
            gnuplot_printf(g, "%.*s", (int)len, p);
        p += len ? len : 1;
    }
    gnuplot_printf(g, "'");
}

int gnuplot_path(gnuplot *g, const char *path)
{
    if (strpbrk(path, "\r\n"))
        return -1;
    gnuplot_printf(g, "'");
    for (const char *p = path; *p; p++)
        gnuplot_printf(g, *p == '\'' ? "''" : "%c", *p);
    gnuplot_printf(g, "'");
    return 0;
}

/* What gnuplot wrote on stderr, its lines trimmed and joined with "; ". */
static void read_errors(FILE *errors, char *msg, size_t msglen)
{
    char line[512];
    size_t used = 0;
    msg[0] = '\0';
    rewind(errors);
    while (fgets(line, sizeof line, errors)) {
        char *start = line + strspn(line, " \t\r\n");
        size_t len = strlen(start);
        while (len > 0 && strchr(" \t\r\n", start[len - 1]))
            start[--len] = '\0';
        if (len == 0)
            continue;
        size_t room = msglen - used;
        int n = snprintf(msg + used, room, "%s%s", used ? "; " : "", start);
        if (n < 0 || (size_t)n >= room)
            break;
        used += (size_t)n;
    }
}

/* Exit status 127: the shell could not find gnuplot. */
static int not_installed(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 127;
}

/* The script so far, copied into gnuplot's pipe. The copy returns once gnuplot has read all
 * but the pipe's buffer, so gnuplot draws while the caller goes on to the next session. */
static void send_script(gnuplot *g)
{
    char buf[1 << 16];
    size_t n;
    sigpipe_hold hold;
    hold_sigpipe(&hold);
    rewind(g->script);
    while (!g->write_errno && (n = fread(buf, 1, sizeof buf, g->script)) > 0)
        if (fwrite(buf, 1, n, g->pipe) != n)
            wrote(g, -1);
    if (!g->write_errno && ferror(g->script))
        wrote(g, -1);
    if (!g->write_errno && fflush(g->pipe) != 0)
        wrote(g, -1);
    release_sigpipe(&hold);
}

void gnuplot_start(gnuplot *g)
{
    if (g->started)
        return;
    g->started = 1;
    if (!g->write_errno && fflush(g->script) != 0)
        wrote(g, -1);
    if (g->write_errno)
        return;
    /* The shell's `2>&N` takes one digit in dash, Debian's sh, and the file's descriptor is
     * 10 or more once a process has that many open (several sessions at once, or mpirun's
     * own); the file's name under /dev/fd has no such limit. */
    char command[64];
    snprintf(command, sizeof command, "exec gnuplot >/dev/null 2>/dev/fd/%d", fileno(g->errors));
    if (!(g->pipe = popen(command, "w"))) {
        g->start_errno = errno ? errno : EAGAIN;
        return;
    }
    send_script(g);
}

gnuplot_status gnuplot_close(gnuplot *g, char *msg, size_t msglen)
{
    gnuplot_start(g);
    int status = 0, wait_errno = 0;
    if (g->pipe) {
        sigpipe_hold hold; /* pclose flushes nothing more, but a late write could still fail */
        hold_sigpipe(&hold);
        if ((status = pclose(g->pipe)) == -1)
            wait_errno = errno;
        release_sigpipe(&hold);
    }
    read_errors(g->errors, msg, msglen);
    fclose(g->errors);
    fclose(g->script);
    int write_errno = g->write_errno, start_errno = g->start_errno, piped = g->pipe != NULL;
    free(g);

    if (!piped && write_errno) {
        snprintf(msg, msglen, "cannot write gnuplot's script: %s", SYSERR(write_errno));
        return GNUPLOT_FAILED;
    }
    if (!piped) {
        snprintf(msg, msglen, "cannot start gnuplot: %s", SYSERR(start_errno));
        return GNUPLOT_FAILED;
    }
    if (wait_errno) {
        snprintf(msg, msglen, "cannot wait for gnuplot: %s", SYSERR(wait_errno));
        return GNUPLOT_FAILED;
    }
    if (not_installed(status))
        return GNUPLOT_MISSING;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !write_errno)
        return GNUPLOT_OK;
    if (msg[0] != '\0')
        return GNUPLOT_FAILED; /* in gnuplot's own words */
    if (WIFSIGNALED(status))
        snprintf(msg, msglen, "gnuplot was killed by signal %d", WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        snprintf(msg, msglen, "gnuplot exited with status %d", WEXITSTATUS(status));
    else
        snprintf(msg, msglen, "cannot write to gnuplot: %s", SYSERR(write_errno));
    return GNUPLOT_FAILED;
}
