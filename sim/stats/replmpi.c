/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/replmpi.h"

#include "sim/base/bytecodec.h"
#include "sim/load/scenario_load.h"

#include <limits.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The messages, all on MPI_COMM_WORLD. Between two ranks MPI delivers messages in the order
 * they were sent, which is what keeps the rows of a rank in index order.
 *   ORDER  0 -> r  a scenario to run, or "done"
 *   ROW    r -> 0  the index (8 bytes) and the encoded row of one replication
 *   FAIL   r -> 0  why the rank could not go on (text); it sends nothing more for the order
 *   END    r -> 0  the rank has sent every row it will send for the order
 *   STOP   0 -> r  the order is over for rank 0: exactly one per order and rank, sent when
 *                  rank 0 has folded what it needs (possibly before the rank's END, to stop
 *                  it early). A rank takes it while it runs (and stops) or after its END or
 *                  FAIL, so none is left over to stop the next order.
 */
enum { TAG_ORDER = 1, TAG_STOP, TAG_ROW, TAG_FAIL, TAG_END };

enum { ORDER_DONE = 0, ORDER_RUN = 1 };

int replmpi_start(int *argc, char ***argv, char *err, size_t errlen)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(err, errlen, "cannot start MPI");
        return -1;
    }
    if (provided < MPI_THREAD_FUNNELED) {
        snprintf(err, errlen, "the MPI library does not allow threads (MPI_THREAD_FUNNELED)");
        MPI_Finalize();
        return -1;
    }
    return 0;
}

size_t replmpi_rank(void)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return (size_t)rank;
}

size_t replmpi_ranks(void)
{
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return (size_t)size;
}

/* ---- strings in an order: their u64 length, then their bytes ---------------------------- */

static void put_string(bytecodec_writer *b, const char *s)
{
    size_t n = strlen(s);
    bytecodec_put_u64(b, n);
    bytecodec_put(b, s, n);
}

/* A malloc'd copy of the next string, or NULL (r->failed set). */
static char *get_string(bytecodec_reader *r)
{
    return bytecodec_get_chars(r, bytecodec_get_u64(r));
}

/* ---- messages --------------------------------------------------------------------------- */

static int send_bytes(const void *data, size_t len, int to, int tag)
{
    if (len > INT_MAX)
        return -1;
    return MPI_Send(data, (int)len, MPI_BYTE, to, tag, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

/* Wait for a message from `from` with `tag` (or any). MPI's blocking calls busy-poll in
 * OpenMPI, which would take a core from the replications this rank's threads, and the other
 * ranks on the node, are computing, all the while rank 0 waits for rows or a rank for its
 * next order; a look every millisecond costs nothing next to a replication. */
static int wait_for(int from, int tag, MPI_Status *status)
{
    const struct timespec pause = {0, 1000000};
    for (;;) {
        int arrived = 0;
        if (MPI_Iprobe(from, tag, MPI_COMM_WORLD, &arrived, status) != MPI_SUCCESS)
            return -1;
        if (arrived)
            return 0;
        nanosleep(&pause, NULL);
    }
}

/* The next message from `from` with any tag (or with `tag` when not MPI_ANY_TAG), received
 * whole: a malloc'd buffer (NULL when empty), its length and tag. Returns 0 or -1. */
static int receive(int from, int tag, unsigned char **data, size_t *len, int *got_tag)
{
    MPI_Status status;
    int count;
    if (wait_for(from, tag, &status) != 0 ||
        MPI_Get_count(&status, MPI_BYTE, &count) != MPI_SUCCESS || count < 0)
        return -1;
    *data = count > 0 ? malloc((size_t)count) : NULL;
    if (count > 0 && !*data)
        return -1;
    if (MPI_Recv(*data, count, MPI_BYTE, from, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
        MPI_SUCCESS) {
        free(*data);
        *data = NULL;
        return -1;
    }
    *len = (size_t)count;
    *got_tag = status.MPI_TAG;
    return 0;
}

/* ---- the other ranks -------------------------------------------------------------------- */

typedef struct {
    int stopped; /* this order's STOP was taken */
    int failed;  /* MPI itself failed */
} worker_state;

/* Has rank 0 said the order is over? */
static int stop_asked(worker_state *sv)
{
    int pending = 0;
    if (!sv->stopped &&
        MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &pending, MPI_STATUS_IGNORE) == MPI_SUCCESS &&
        pending)
        sv->stopped = MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE) ==
                      MPI_SUCCESS;
    return sv->stopped;
}

static replicate_next send_row(void *ctx, size_t index, uint64_t seed, results **r, char *err,
                               size_t errlen)
{
    (void)seed; /* the row carries it */
    worker_state *sv = ctx;
    if (stop_asked(sv))
        return REPLICATE_STOP;
    replicas_row *row = replicas_row_from_results(*r);
    unsigned char *encoded = NULL;
    size_t len = 0;
    int ok = row && replicas_row_encode(row, &encoded, &len) == 0;
    replicas_row_free(row);
    bytecodec_writer message = {0};
    bytecodec_put_u64(&message, index);
    if (ok)
        bytecodec_put(&message, encoded, len);
    free(encoded);
    if (!ok || message.failed) {
        free(message.data);
        snprintf(err, errlen, "out of memory");
        return REPLICATE_ABORT;
    }
    int sent = send_bytes(message.data, message.len, 0, TAG_ROW);
    free(message.data);
    if (sent != 0) {
        sv->failed = 1;
        snprintf(err, errlen, "cannot send a row to rank 0");
        return REPLICATE_ABORT;
    }
    return REPLICATE_CONTINUE;
}

/* Run one order; 0, or -1 with the reason in err. */
static int run_order(bytecodec_reader *in, worker_state *sv, char *err, size_t errlen)
{
    replicate_options opt = {.rank = replmpi_rank(), .ranks = replmpi_ranks()};
    opt.seed = bytecodec_get_u64(in);
    opt.replications = (size_t)bytecodec_get_u64(in);
    opt.jobs = (unsigned)bytecodec_get_u64(in);
    char *path = get_string(in);
    size_t n_sets = (size_t)bytecodec_get_u64(in);
    /* every set takes at least its 8-byte length */
    char **sets = bytecodec_fits(in, n_sets, 8) ? calloc(n_sets ? n_sets : 1, sizeof *sets) : NULL;
    int complete = path && sets;
    for (size_t i = 0; sets && i < n_sets; i++)
        complete &= (sets[i] = get_string(in)) != NULL;
    int rc = -1;
    if (in->failed || !complete) {
        snprintf(err, errlen, "a malformed order from rank 0, or out of memory");
    } else {
        scenario *sc = scenario_load_set(path, (const char *const *)sets, n_sets, err, errlen);
        if (sc && opt.rank < opt.replications)
            rc = replicate_run(sc, &opt, send_row, sv, err, errlen);
        else if (sc)
            rc = 0; /* more ranks than replications: nothing to run here */
        scenario_free(sc);
    }
    for (size_t i = 0; sets && i < n_sets; i++)
        free(sets[i]);
    free(sets);
    free(path);
    return rc;
}

int replmpi_serve(void)
{
    worker_state sv = {0};
    for (;;) {
        unsigned char *order;
        size_t len;
        int tag;
        if (receive(0, TAG_ORDER, &order, &len, &tag) != 0) {
            sv.failed = 1;
            break;
        }
        bytecodec_reader in = bytecodec_reader_of(order, len);
        if (bytecodec_get_u64(&in) != ORDER_RUN) {
            free(order);
            break;
        }
        char err[1024] = "";
        sv.stopped = 0;
        int rc = run_order(&in, &sv, err, sizeof err);
        free(order);
        if (sv.failed)
            break;
        int sent = rc == 0 ? send_bytes(NULL, 0, 0, TAG_END)
                           : send_bytes(err, strlen(err) + 1, 0, TAG_FAIL);
        unsigned char *stop = NULL; /* empty */
        size_t stop_len;
        int stop_tag;
        if (sent != 0 || (!sv.stopped && receive(0, TAG_STOP, &stop, &stop_len, &stop_tag) != 0)) {
            sv.failed = 1;
            break;
        }
        free(stop);
    }
    MPI_Finalize();
    return sv.failed ? 3 : 0;
}

void replmpi_finish(void)
{
    bytecodec_writer done = {0};
    bytecodec_put_u64(&done, ORDER_DONE);
    for (size_t r = 1; !done.failed && r < replmpi_ranks(); r++)
        send_bytes(done.data, done.len, (int)r, TAG_ORDER);
    free(done.data);
    MPI_Finalize();
}

/* ---- rank 0 ----------------------------------------------------------------------------- */

typedef struct {
    size_t ranks;
    size_t next;   /* the next index to fold */
    size_t cap;    /* replications asked for */
    int *finished; /* per rank: sent END or FAIL for this order */
    int stopped;   /* a callback stopped the run */
    replicate_fn fold;
    replmpi_row_fn fold_row;
    void *ctx;
} gathering;

static replicate_next failed(char *err, size_t errlen, const char *fmt, size_t a, size_t b)
{
    snprintf(err, errlen, fmt, a, b);
    return REPLICATE_ABORT;
}

/* Receive replication `index` from the rank that ran it and fold it. */
static replicate_next fold_received(gathering *g, size_t index, char *err, size_t errlen)
{
    int from = (int)(index % g->ranks);
    unsigned char *data;
    size_t len;
    int tag;
    if (receive(from, MPI_ANY_TAG, &data, &len, &tag) != 0)
        return failed(err, errlen, "cannot receive replication %zu from rank %zu", index,
                      (size_t)from);
    replicate_next next = REPLICATE_ABORT;
    if (tag == TAG_FAIL) {
        g->finished[from] = 1;
        snprintf(err, errlen, "rank %d: %.*s", from, (int)(len ? len - 1 : 0), (char *)data);
    } else if (tag != TAG_ROW) {
        g->finished[from] |= tag == TAG_END;
        failed(err, errlen, "rank %zu sent no replication %zu", (size_t)from, index);
    } else {
        bytecodec_reader in = bytecodec_reader_of(data, len);
        char why[256];
        replicas_row *row = NULL;
        /* a message too short for its index reads 0, which is index 0's: refuse it first */
        if (bytecodec_get_u64(&in) != index || in.failed)
            failed(err, errlen, "rank %zu sent a replication out of turn (expected %zu)",
                   (size_t)from, index);
        else if (!(row = replicas_row_decode(data + 8, len - 8, why, sizeof why)))
            snprintf(err, errlen, "replication %zu from rank %d: %s", index, from, why);
        else
            next = g->fold_row(g->ctx, index, &row, err, errlen);
        replicas_row_free(row);
    }
    free(data);
    return next;
}

/* Fold the other ranks' replications from g->next up to (not including) `until`. */
static replicate_next fold_others(gathering *g, size_t until, char *err, size_t errlen)
{
    for (; g->next < until; g->next++) {
        if (g->next % g->ranks == 0)
            continue; /* rank 0's own: folded by own_fold */
        replicate_next next = fold_received(g, g->next, err, errlen);
        if (next != REPLICATE_CONTINUE) {
            g->next++;
            return next;
        }
    }
    return REPLICATE_CONTINUE;
}

/* Rank 0's own replication `index`: everything below it first. */
static replicate_next own_fold(void *ctx, size_t index, uint64_t seed, results **r, char *err,
                               size_t errlen)
{
    gathering *g = ctx;
    replicate_next next = fold_others(g, index, err, errlen);
    if (next == REPLICATE_CONTINUE) {
        next = g->fold(g->ctx, index, seed, r, err, errlen);
        g->next = index + 1;
    }
    g->stopped |= next == REPLICATE_STOP;
    return next;
}

/* The order over on every other rank: its STOP sent, and whatever it still sends (rows past
 * an early stop) discarded until its END or FAIL. */
static void drain(gathering *g)
{
    for (size_t r = 1; r < g->ranks; r++) {
        if (send_bytes(NULL, 0, (int)r, TAG_STOP) != 0)
            continue;
        while (!g->finished[r]) {
            unsigned char *data;
            size_t len;
            int tag;
            if (receive((int)r, MPI_ANY_TAG, &data, &len, &tag) != 0)
                break;
            free(data);
            g->finished[r] = tag == TAG_END || tag == TAG_FAIL;
        }
    }
}

static int send_order(const gathering *g, const scenario *sc, const char *const *sets,
                      size_t n_sets, const replicate_options *opt)
{
    bytecodec_writer order = {0};
    bytecodec_put_u64(&order, ORDER_RUN);
    bytecodec_put_u64(&order, opt->seed);
    bytecodec_put_u64(&order, opt->replications);
    bytecodec_put_u64(&order, opt->jobs);
    put_string(&order, sc->path);
    bytecodec_put_u64(&order, n_sets);
    for (size_t i = 0; i < n_sets; i++)
        put_string(&order, sets[i]);
    int rc = order.failed ? -1 : 0;
    for (size_t r = 1; rc == 0 && r < g->ranks; r++)
        rc = send_bytes(order.data, order.len, (int)r, TAG_ORDER);
    free(order.data);
    return rc;
}

int replmpi_run(const scenario *sc, const char *const *sets, size_t n_sets,
                const replicate_options *opt, replicate_fn fold, replmpi_row_fn fold_row, void *ctx,
                char *err, size_t errlen)
{
    gathering g = {.ranks = replmpi_ranks(),
                   .cap = opt->replications,
                   .fold = fold,
                   .fold_row = fold_row,
                   .ctx = ctx};
    replicate_options own = *opt;
    own.rank = 0;
    own.ranks = g.ranks;
    if (!(g.finished = calloc(g.ranks, sizeof *g.finished))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (send_order(&g, sc, sets, n_sets, opt) != 0) {
        snprintf(err, errlen, "cannot send the run to the other ranks");
        free(g.finished);
        return -1; /* MPI is broken: nothing to drain */
    }
    int rc = replicate_run(sc, &own, own_fold, &g, err, errlen);
    if (rc == 0 && !g.stopped) {
        replicate_next next = fold_others(&g, g.cap, err, errlen);
        rc = next == REPLICATE_ABORT ? -1 : 0;
        g.stopped = next == REPLICATE_STOP;
    }
    /* Past the last replication, each rank's END is its next message. */
    for (size_t r = 1; rc == 0 && !g.stopped && r < g.ranks; r++) {
        unsigned char *data;
        size_t len;
        int tag;
        if (receive((int)r, MPI_ANY_TAG, &data, &len, &tag) != 0) {
            snprintf(err, errlen, "cannot hear from rank %zu", r);
            rc = -1;
            continue;
        }
        g.finished[r] = tag == TAG_END || tag == TAG_FAIL;
        if (tag == TAG_FAIL)
            snprintf(err, errlen, "rank %zu: %.*s", r, (int)(len ? len - 1 : 0), (char *)data);
        else if (tag != TAG_END)
            snprintf(err, errlen, "rank %zu sent more replications than its share", r);
        rc = tag == TAG_END ? 0 : -1;
        free(data);
    }
    drain(&g);
    free(g.finished);
    return rc;
}

/* ---- lockstep ---------------------------------------------------------------------------- */

int replmpi_allgather(const unsigned char *mine, size_t len, unsigned char **all, size_t *lens,
                      char *err, size_t errlen)
{
    size_t ranks = replmpi_ranks();
    *all = NULL;
    if (len > INT_MAX) {
        snprintf(err, errlen, "a replication's digest is too large for MPI (%zu bytes)", len);
        return -1;
    }
    int *counts = calloc(ranks, sizeof *counts), *at = calloc(ranks, sizeof *at);
    int n = (int)len, rc = -1;
    if (!counts || !at) {
        snprintf(err, errlen, "out of memory");
    } else if (MPI_Allgather(&n, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD) != MPI_SUCCESS) {
        snprintf(err, errlen, "MPI_Allgather failed");
    } else {
        size_t total = 0;
        for (size_t r = 0; r < ranks; r++) {
            at[r] = (int)total;
            lens[r] = (size_t)counts[r];
            total += lens[r];
        }
        unsigned char *buf = total > INT_MAX ? NULL : malloc(total + 1);
        /* every rank goes on to the exchange only if every rank has its buffer */
        int have = buf != NULL, all_have = 0;
        if (MPI_Allreduce(&have, &all_have, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
            snprintf(err, errlen, "MPI_Allreduce failed");
        else if (!all_have)
            snprintf(err, errlen, "out of memory");
        else if (MPI_Allgatherv(mine, n, MPI_BYTE, buf, counts, at, MPI_BYTE, MPI_COMM_WORLD) !=
                 MPI_SUCCESS)
            snprintf(err, errlen, "MPI_Allgatherv failed");
        else
            rc = 0;
        if (rc == 0)
            *all = buf;
        else
            free(buf);
    }
    free(counts);
    free(at);
    return rc;
}

void replmpi_end(void)
{
    MPI_Finalize();
}
