/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/reports.h"

#include "plots/plots.h"
#include "views/loadview.h"
#include "views/outfile.h"
#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_json.h"
#include "reports/report_junit.h"
#include "reports/report_md.h"
#include "reports/srm_report.h"
#include "views/series.h"
#include "sim/base/syserr.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the reports show: the results, their time series and serving measurements, and the
 * plots drawn with their SVG documents (the web page carries them inline). */
typedef struct {
    const results *r;
    const replicas_summary *replicated; /* NULL: a single run */
    series s;
    loadview loads;
    plots_set plots;
    char **svgs;
    /* The phases' plans, made once for report.md and report.json; NULL (when out of memory
     * making them) has each writer plan the phases itself. */
    srm_report_plans plans;
    const srm_report_plans *planned;
} material;

static int write_timeseries(FILE *out, const material *m)
{
    return report_csv_timeseries(out, &m->s);
}

static int write_requests(FILE *out, const material *m)
{
    return report_csv_requests(out, &m->s);
}

static int write_load(FILE *out, const material *m)
{
    return report_csv_load(out, &m->s);
}

static int write_replications(FILE *out, const material *m)
{
    return report_csv_replications(out, m->replicated);
}

static int write_junit(FILE *out, const material *m)
{
    return report_junit_write(out, m->r, &m->loads, m->replicated);
}

static int write_md(FILE *out, const material *m)
{
    return report_md_write(out, m->r, &m->loads, &m->plots, m->replicated, m->planned);
}

static int write_html(FILE *out, const material *m)
{
    return report_html_write(out, m->r, &m->loads, &m->plots, (const char *const *)m->svgs,
                             m->replicated);
}

static int write_json(FILE *out, const material *m)
{
    return report_json_write(out, &m->s, &m->plots, m->replicated, m->planned);
}

typedef int (*writer_fn)(FILE *out, const material *m);

static const struct {
    const char *file;
    writer_fn writer;
    int replicated; /* written for replicated runs only */
    int plans;      /* shows the phases' plans */
} writers[] = {
    {"timeseries.csv", write_timeseries, 0, 0},
    {"requests.csv", write_requests, 0, 0},
    {"load.csv", write_load, 0, 0},
    {"replications.csv", write_replications, 1, 0},
    {"junit.xml", write_junit, 0, 0},
    {"report.md", write_md, 0, 1},
    {"report.html", write_html, 0, 0},
    {"report.json", write_json, 0, 1}, /* last: it vouches for the others */
};

static int join(char *path, size_t size, const char *dir, const char *file, char *err,
                size_t errlen)
{
    if ((size_t)snprintf(path, size, "%s/%s", dir, file) < size)
        return 0;
    snprintf(err, errlen, "output path too long: %s/%s", dir, file);
    return -1;
}

/* Write one report to its temporary file and sync it; NULL with the reason in err. */
static outfile *write_synced(const char *dir, const char *file, writer_fn writer, const material *m,
                             char *err, size_t errlen)
{
    char path[4096];
    if (join(path, sizeof path, dir, file, err, errlen) != 0)
        return NULL;
    outfile *f = outfile_open(path, err, errlen);
    if (!f)
        return NULL;
    errno = 0;
    if (writer(outfile_stream(f), m) != 0) {
        int code = errno ? errno : EIO; /* from the write that failed (ENOSPC on a full disk) */
        outfile_abort(f);
        outfile_error(err, errlen, "write", path, code);
        return NULL;
    }
    if (outfile_sync(f, err, errlen) != 0) {
        outfile_abort(f);
        return NULL;
    }
    return f;
}

/* The reports before report.json, in order, each complete before the next, stopping at the
 * first that fails; those that show the plans wait until they are made. */
typedef struct {
    const char *dir;
    material *m;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int planned; /* m->planned is set */
    int rc;
    char err[1024];
} others_job;

static void write_others(others_job *job)
{
    for (size_t i = 0; job->rc == 0 && i < sizeof writers / sizeof writers[0] - 1; i++) {
        if (!job->m->replicated && writers[i].replicated)
            continue;
        if (writers[i].plans) {
            pthread_mutex_lock(&job->lock);
            while (!job->planned)
                pthread_cond_wait(&job->changed, &job->lock);
            pthread_mutex_unlock(&job->lock);
        }
        outfile *f = write_synced(job->dir, writers[i].file, writers[i].writer, job->m, job->err,
                                  sizeof job->err);
        job->rc = f ? outfile_commit(f, job->err, sizeof job->err) : -1;
    }
}

static void *others_thread(void *arg)
{
    write_others(arg);
    return NULL;
}

/* The phases' plans, then the others may show them. */
static void make_plans(others_job *job)
{
    material *m = job->m;
    if (srm_report_plans_init(&m->plans, m->r) == 0)
        m->planned = &m->plans;
    pthread_mutex_lock(&job->lock);
    job->planned = 1;
    pthread_cond_signal(&job->changed);
    pthread_mutex_unlock(&job->lock);
}

/* The reports are independent of one another: the others are written on a second thread
 * (the CSV files first, which need no plans) while this one plans the phases and writes
 * report.json, the largest, whose writing and syncing overlap theirs. report.json is put in
 * place only once all the others are, so that it still vouches for them; a failure is
 * reported as the sequential order would meet it, the others first. */
static int write_reports(const char *dir, material *m, char *err, size_t errlen)
{
    others_job job = {.dir = dir, .m = m};
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.changed, NULL);
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, others_thread, &job) == 0;
    make_plans(&job);
    if (!threaded)
        write_others(&job); /* no thread to be had: one after the other */
    const size_t last = sizeof writers / sizeof writers[0] - 1;
    char json_err[1024] = "";
    outfile *json = threaded || job.rc == 0
                        ? write_synced(dir, writers[last].file, writers[last].writer, m, json_err,
                                       sizeof json_err)
                        : NULL;
    if (threaded)
        pthread_join(thread, NULL);
    pthread_cond_destroy(&job.changed);
    pthread_mutex_destroy(&job.lock);
    if (job.rc != 0) {
        outfile_abort(json);
        snprintf(err, errlen, "%s", job.err);
        return -1;
    }
    if (!json) {
        snprintf(err, errlen, "%s", json_err);
        return -1;
    }
    return outfile_commit(json, err, errlen);
}

/* The whole of a file as a string; NULL with the reason in err. */
static char *read_text(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    int failed = f == NULL;
    while (!failed) {
        if (cap - len < 4096) {
            char *grown = realloc(text, cap = cap ? 2 * cap : 65536);
            if (!grown) {
                errno = ENOMEM;
                failed = 1;
                break;
            }
            text = grown;
        }
        size_t got = fread(text + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            failed = ferror(f);
            break;
        }
    }
    if (failed) {
        snprintf(err, errlen, "cannot read %s: %s", path, SYSERR(errno ? errno : EIO));
        free(text);
        text = NULL;
    } else {
        text[len] = '\0';
    }
    if (f)
        fclose(f);
    return text;
}

static int load_svgs(const char *dir, material *m, char *err, size_t errlen)
{
    m->svgs = calloc(m->plots.n ? m->plots.n : 1, sizeof *m->svgs);
    if (!m->svgs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < m->plots.n; i++) {
        char file[160], path[4096];
        snprintf(file, sizeof file, "%s.svg", m->plots.plots[i].stem);
        if (join(path, sizeof path, dir, file, err, errlen) != 0 ||
            !(m->svgs[i] = read_text(path, err, errlen)))
            return -1;
    }
    return 0;
}

static void material_free(material *m)
{
    for (size_t i = 0; m->svgs && i < m->plots.n; i++)
        free(m->svgs[i]);
    free(m->svgs);
    plots_set_free(&m->plots);
    srm_report_plans_free(&m->plans);
    loadview_free(&m->loads);
    series_free(&m->s);
}

int reports_write(const char *dir, const results *r, const reports_options *opts,
                  void (*warn)(const char *message), char *err, size_t errlen)
{
    if (outfile_mkdirs(dir, err, errlen) != 0)
        return -1;
    material m = {.r = r,
                  .replicated = opts ? opts->replicated : NULL,
                  .plots = {.status = PLOTS_NOT_REQUESTED}};
    if (series_init_detail(&m.s, r, opts ? opts->detail : SERIES_DETAIL_BOUNDED) != 0 ||
        loadview_init(&m.loads, r) != 0) {
        snprintf(err, errlen, "out of memory");
        material_free(&m);
        return -1;
    }
    int rc = 0;
    if (opts && opts->plots)
        rc = plots_draw(dir, r, m.replicated, opts->detail, PLOTS_WIDTH, PLOTS_HEIGHT, 0, &m.plots,
                        warn, err, errlen);
    if (rc == 0)
        rc = load_svgs(dir, &m, err, errlen);
    if (rc == 0)
        rc = write_reports(dir, &m, err, errlen);
    material_free(&m);
    return rc;
}
