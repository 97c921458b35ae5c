/* SPDX-License-Identifier: GPL-3.0-or-later */
/* flock and renameat2 are not POSIX; both are declared under _GNU_SOURCE. */
#define _GNU_SOURCE
#include "views/outdir.h"

#include "views/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct outdir {
    char *dir;     /* the report folder, without trailing slashes */
    char *parent;  /* its parent folder */
    char *staging; /* "<parent>/.<name>.staging-XXXXXX" */
    int lock_fd;
};

/* Temporary names of this module (".<name>.staging-XXXXXX") and of outfile
 * ("<file>.tmp-XXXXXX"), by which a killed run's leftovers are known. */
static const char staging_infix[] = ".staging-";
static const char temp_infix[] = ".tmp-";

static char *copy(const char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

static char *join(const char *a, const char *b, const char *c)
{
    size_t len = strlen(a) + strlen(b) + strlen(c);
    char *s = malloc(len + 1);
    if (s)
        snprintf(s, len + 1, "%s%s%s", a, b, c);
    return s;
}

/* Delete a folder that holds files only (a staging folder or a replaced report set). */
static void remove_folder(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        int fd = dirfd(d);
        for (struct dirent *e; (e = readdir(d));)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(fd, e->d_name, 0);
        closedir(d);
    }
    rmdir(path);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* A file name a report set may hold. */
static int report_name(const char *name)
{
    /* .fitted.yaml: the scenario `routersim fit` writes; planned.yaml and runbook.sh: a
     * plan's (any other YAML may be the user's own scenario, never to be replaced) */
    static const char *const tails[] = {".json", ".md",  ".html", ".xml",
                                        ".csv",  ".png", ".svg",  ".fitted.yaml"};
    if (strcmp(name, "planned.yaml") == 0 || strcmp(name, "runbook.sh") == 0)
        return 1;
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++)
        if (ends_with(name, tails[i]))
            return 1;
    return strstr(name, temp_infix) != NULL;
}

/* 0 when dir is absent or a folder of reports only; -1 with the reason otherwise. */
static int replaceable(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(dir, &st) != 0)
        return errno == ENOENT ? 0 : (outfile_error(err, errlen, "use folder", dir, errno), -1);
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot use %s as the report folder: it is not a folder", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        outfile_error(err, errlen, "read folder", dir, errno);
        return -1;
    }
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            report_name(e->d_name))
            continue;
        snprintf(err, errlen,
                 "cannot replace the report folder %s: it holds %s, which is not a report; "
                 "routersim replaces the whole folder, so give --out a folder of its own",
                 dir, e->d_name);
        rc = -1;
    }
    closedir(d);
    return rc;
}

/* Delete staging folders of this report folder that a killed run left behind. Called with
 * the lock held, so no other run is using them. */
static void remove_leftovers(const outdir *o, const char *name)
{
    DIR *d = opendir(o->parent);
    if (!d)
        return;
    char *prefix = join(".", name, staging_infix);
    for (struct dirent *e; prefix && (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char *path = join(o->parent, "/", e->d_name);
        if (path)
            remove_folder(path);
        free(path);
    }
    free(prefix);
    closedir(d);
}

static int lock(outdir *o, const char *name, char *err, size_t errlen)
{
    char *base = join(".", name, ".lock");
    char *path = base ? join(o->parent, "/", base) : NULL;
    int rc = 0;
    if (!path) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if ((o->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        rc = -1;
        outfile_error(err, errlen, "create the lock file", path, errno);
    } else if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = -1;
        if (errno == EWOULDBLOCK)
            snprintf(err, errlen,
                     "another run is writing reports into %s (it holds the lock %s); wait for "
                     "it to finish or give this run another --out",
                     o->dir, path);
        else
            outfile_error(err, errlen, "lock", path, errno);
    }
    free(base);
    free(path);
    return rc;
}

outdir *outdir_open(const char *dir, char *err, size_t errlen)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *slash = memrchr(dir, '/', len);
    const char *name = slash ? slash + 1 : dir;
    size_t name_len = len - (size_t)(name - dir);
    if (name_len == 0 || (name_len == 1 && name[0] == '.') ||
        (name_len == 2 && name[0] == '.' && name[1] == '.')) {
        snprintf(err, errlen,
                 "cannot use %s as the report folder: routersim replaces the whole folder, so "
                 "give it a folder of its own, such as out/run1",
                 dir);
        return NULL;
    }
    outdir *o = calloc(1, sizeof *o);
    char *base = copy(name, name_len);
    if (o) {
        o->lock_fd = -1;
        o->dir = copy(dir, len);
        o->parent = slash ? copy(dir, slash == dir ? 1 : (size_t)(slash - dir)) : copy(".", 1);
    }
    if (!o || !base || !o->dir || !o->parent) {
        snprintf(err, errlen, "out of memory");
        free(base);
        outdir_abort(o);
        return NULL;
    }
    int rc = outfile_mkdirs(o->parent, err, errlen);
    if (rc == 0)
        rc = lock(o, base, err, errlen);
    if (rc == 0)
        rc = replaceable(o->dir, err, errlen);
    if (rc == 0) {
        remove_leftovers(o, base);
        char *name_template = join(".", base, ".staging-XXXXXX");
        o->staging = name_template ? join(o->parent, "/", name_template) : NULL;
        free(name_template);
        if (!o->staging) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (!mkdtemp(o->staging)) {
            outfile_error(err, errlen, "create a staging folder beside", o->dir, errno);
            o->staging[0] = '\0'; /* nothing to delete */
            rc = -1;
        } else {
            chmod(o->staging, 0755); /* a report folder is for everyone who may read it */
        }
    }
    free(base);
    if (rc != 0) {
        outdir_abort(o);
        return NULL;
    }
    return o;
}

const char *outdir_staging(const outdir *d)
{
    return d->staging;
}

/* Make the renames durable: sync the parent folder that holds both names. */
static void sync_parent(const outdir *o)
{
    int fd = open(o->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Put the staging folder in place; afterwards o->staging names the previous set, if any. */
static int swap_in(outdir *o, char *err, size_t errlen)
{
    if (rename(o->staging, o->dir) == 0) {
        o->staging[0] = '\0'; /* nothing was there before */
        return 0;
    }
    if (errno != EEXIST && errno != ENOTEMPTY) {
        outfile_error(err, errlen, "put in place the report folder", o->dir, errno);
        return -1;
    }
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, o->staging, AT_FDCWD, o->dir, RENAME_EXCHANGE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS) {
        outfile_error(err, errlen, "put in place the report folder", o->dir, errno);
        return -1;
    }
#endif
    /* No atomic exchange here: the old set goes first, so the two never mix. */
    char *old = join(o->staging, ".old", "");
    if (!old) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    if (rename(o->dir, old) != 0) {
        outfile_error(err, errlen, "move away the previous report folder", o->dir, errno);
        rc = -1;
    } else if (rename(o->staging, o->dir) != 0) {
        outfile_error(err, errlen, "put in place the report folder", o->dir, errno);
        rename(old, o->dir);
        rc = -1;
    } else {
        remove_folder(old);
    }
    free(old);
    if (rc == 0)
        o->staging[0] = '\0';
    return rc;
}

int outdir_commit(outdir *d, char *err, size_t errlen)
{
    /* Checked again: whatever was put into the folder during the run is not deleted. */
    int rc = replaceable(d->dir, err, errlen);
    if (rc == 0)
        rc = swap_in(d, err, errlen);
    if (rc == 0)
        sync_parent(d);
    outdir_abort(d); /* deletes what o->staging names now: the previous set, or the new one */
    return rc;
}

void outdir_abort(outdir *d)
{
    if (!d)
        return;
    if (d->staging && d->staging[0])
        remove_folder(d->staging);
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
    free(d->staging);
    free(d->parent);
    free(d->dir);
    free(d);
}

void outdir_explain(const outdir *d, char *msg, size_t msglen)
{
    /* The staging folder's name is the longer one, so the message only shrinks. */
    size_t from = strlen(d->staging), to = strlen(d->dir);
    if (from == 0 || to > from || msglen == 0)
        return;
    for (char *at = strstr(msg, d->staging); at; at = strstr(at + to, d->staging)) {
        memcpy(at, d->dir, to);
        memmove(at + to, at + from, strlen(at + from) + 1);
    }
}
