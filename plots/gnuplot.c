/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/gnuplot.h"

#include "views/text.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct gnuplot {
    FILE *script; /* an unlinked temporary file, gnuplot's stdin once started */
    FILE *errors; /* gnuplot's stderr: an unlinked temporary file it inherits */
    int started;
    pid_t pid;       /* once started; 0 when it could not be */
    int spawn_errno; /* why it could not be started */
    int write_errno;
};

gnuplot *gnuplot_open(char *err, size_t errlen)
{
    gnuplot *g = calloc(1, sizeof *g);
    if (!g || !(g->script = tmpfile()) || !(g->errors = tmpfile())) {
        snprintf(err, errlen, "cannot start gnuplot: %s", strerror(g ? errno : ENOMEM));
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

/* Exit status 127: the system could not run gnuplot in the child (where the spawn itself
 * does not report it). */
static int not_installed(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 127;
}

void gnuplot_start(gnuplot *g)
{
    if (g->started)
        return;
    g->started = 1;
    if (!g->write_errno && fflush(g->script) != 0)
        wrote(g, -1);
    /* gnuplot reads the script from its start: the file offset is shared with its stdin */
    if (!g->write_errno && lseek(fileno(g->script), 0, SEEK_SET) != 0)
        wrote(g, -1);
    if (g->write_errno)
        return;
    posix_spawn_file_actions_t files;
    char *argv[] = {"gnuplot", NULL};
    int rc = posix_spawn_file_actions_init(&files);
    if (rc == 0) {
        if ((rc = posix_spawn_file_actions_adddup2(&files, fileno(g->script), 0)) == 0 &&
            (rc = posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
            (rc = posix_spawn_file_actions_adddup2(&files, fileno(g->errors), 2)) == 0)
            rc = posix_spawnp(&g->pid, "gnuplot", &files, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&files);
    }
    if (rc != 0) {
        g->pid = 0;
        g->spawn_errno = rc;
    }
}

gnuplot_status gnuplot_close(gnuplot *g, char *msg, size_t msglen)
{
    gnuplot_start(g);
    int status = 0, wait_errno = 0;
    while (g->pid > 0 && waitpid(g->pid, &status, 0) < 0) {
        if (errno != EINTR) {
            wait_errno = errno;
            break;
        }
    }
    read_errors(g->errors, msg, msglen);
    fclose(g->errors);
    fclose(g->script);
    int write_errno = g->write_errno, spawn_errno = g->spawn_errno;
    free(g);

    if (write_errno) {
        snprintf(msg, msglen, "cannot write gnuplot's script: %s", strerror(write_errno));
        return GNUPLOT_FAILED;
    }
    if (spawn_errno == ENOENT)
        return GNUPLOT_MISSING;
    if (spawn_errno) {
        snprintf(msg, msglen, "cannot start gnuplot: %s", strerror(spawn_errno));
        return GNUPLOT_FAILED;
    }
    if (wait_errno) {
        snprintf(msg, msglen, "cannot wait for gnuplot: %s", strerror(wait_errno));
        return GNUPLOT_FAILED;
    }
    if (not_installed(status))
        return GNUPLOT_MISSING;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return GNUPLOT_OK;
    if (msg[0] != '\0')
        return GNUPLOT_FAILED; /* in gnuplot's own words */
    if (WIFSIGNALED(status))
        snprintf(msg, msglen, "gnuplot was killed by signal %d", WTERMSIG(status));
    else
        snprintf(msg, msglen, "gnuplot exited with status %d", WEXITSTATUS(status));
    return GNUPLOT_FAILED;
}
