/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/outfile.h"

#include "sim/base/syserr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A report of megabytes goes to the kernel in a few large writes, not 4 KiB at a time. */
enum { OUTFILE_BUFFER = 1 << 18 };

struct outfile {
    FILE *stream;
    char *path;
    char *tmp;
    char *buffer; /* the stream's, freed after it is closed */
};

int outfile_error(char *err, size_t errlen, const char *what, const char *path, int code)
{
    char cause[128];
    syserr_text(code, cause, sizeof cause);
    if (cause[0] >= 'A' && cause[0] <= 'Z' && !(cause[1] >= 'A' && cause[1] <= 'Z'))
        cause[0] = (char)(cause[0] - 'A' + 'a');
    snprintf(err, errlen, "cannot %s %s: %s", what, path, cause);
    return -1;
}

outfile *outfile_open(const char *path, char *err, size_t errlen)
{
    outfile *f = calloc(1, sizeof *f);
    size_t len = strlen(path);
    if (f) {
        f->path = malloc(len + 1);
        f->tmp = malloc(len + 16);
    }
    if (!f || !f->path || !f->tmp) {
        snprintf(err, errlen, "out of memory");
        outfile_abort(f);
        return NULL;
    }
    memcpy(f->path, path, len + 1);
    snprintf(f->tmp, len + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(f->tmp);
    if (fd < 0 || !(f->stream = fdopen(fd, "w"))) {
        outfile_error(err, errlen, "create", f->path, errno); /* the name the user knows */
        if (fd >= 0)
            close(fd);
        free(f->tmp);
        f->tmp = NULL;
        outfile_abort(f);
        return NULL;
    }
    /* mkstemp makes the file private; a report is for everyone who may read the folder. */
    fchmod(fd, 0644);
    f->buffer = malloc(OUTFILE_BUFFER); /* without it, stdio's own buffer does */
    if (f->buffer && setvbuf(f->stream, f->buffer, _IOFBF, OUTFILE_BUFFER) != 0) {
        free(f->buffer);
        f->buffer = NULL;
    }
    return f;
}

FILE *outfile_stream(outfile *f)
{
    return f->stream;
}

const char *outfile_temp_path(const outfile *f)
{
    return f->tmp;
}

int outfile_sync(outfile *f, char *err, size_t errlen)
{
    /* The flush retries what is buffered, so errno tells why writing failed even when an
     * earlier write already set the error flag. */
    errno = 0;
    int flushed = fflush(f->stream) == 0;
    int code = errno;
    if (!flushed || ferror(f->stream))
        return outfile_error(err, errlen, "write", f->path, code ? code : EIO);
    if (fsync(fileno(f->stream)) != 0)
        return outfile_error(err, errlen, "write", f->path, errno);
    return 0;
}

int outfile_commit(outfile *f, char *err, size_t errlen)
{
    int rc = outfile_sync(f, err, errlen);
    if (fclose(f->stream) != 0 && rc == 0)
        rc = outfile_error(err, errlen, "write", f->path, errno);
    f->stream = NULL;
    if (rc == 0 && rename(f->tmp, f->path) != 0)
        rc = outfile_error(err, errlen, "rename into", f->path, errno);
    if (rc != 0)
        unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    outfile_abort(f);
    return rc;
}

void outfile_abort(outfile *f)
{
    if (!f)
        return;
    if (f->stream)
        fclose(f->stream);
    if (f->tmp)
        unlink(f->tmp);
    free(f->buffer);
    free(f->tmp);
    free(f->path);
    free(f);
}

int outfile_mkdirs(const char *dir, char *err, size_t errlen)
{
    size_t len = strlen(dir);
    if (len == 0) {
        snprintf(err, errlen, "expected a folder name, got an empty one");
        return -1;
    }
    char *path = malloc(len + 1);
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(path, dir, len + 1);
    int rc = 0;
    for (char *p = path + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            rc = outfile_error(err, errlen, "create folder", path, errno);
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat st;
    if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = outfile_error(err, errlen, "use folder", dir, ENOTDIR);
    free(path);
    return rc;
}
