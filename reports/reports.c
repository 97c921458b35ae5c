#include "reports/reports.h"

#include "reports/outfile.h"
#include "reports/report_json.h"

#include <stdio.h>
#include <string.h>

typedef int (*writer_fn)(FILE *out, const results *r);

static int write_one(const char *dir, const char *file, writer_fn writer, const results *r,
                     char *err, size_t errlen)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path) {
        snprintf(err, errlen, "output path too long: %s/%s", dir, file);
        return -1;
    }
    outfile *f = outfile_open(path, err, errlen);
    if (!f)
        return -1;
    if (writer(outfile_stream(f), r) != 0) {
        outfile_abort(f);
        snprintf(err, errlen, "cannot write %s", path);
        return -1;
    }
    return outfile_commit(f, err, errlen);
}

int reports_write(const char *dir, const results *r, const reports_options *opts,
                  void (*warn)(const char *message), char *err, size_t errlen)
{
    (void)opts;
    (void)warn;
    if (outfile_mkdirs(dir, err, errlen) != 0)
        return -1;
    return write_one(dir, "report.json", report_json_write, r, err, errlen);
}
