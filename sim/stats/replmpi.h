/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replmpi — the replications of a run spread over MPI ranks (the -DROUTERSIM_MPI=ON build
 * only), with rank 0 folding every replication's row in index order, so that its reports
 * are the same bytes as a single process's.
 *
 * Rank 0 runs the command as usual. Every other rank only serves (replmpi_serve): it waits
 * for an order, runs its share of a replicated run, and waits for the next, until rank 0 is
 * done (replmpi_finish). An order carries what the rank needs to reproduce rank 0's run: the
 * scenario's path and --set overrides (it loads the scenario itself, from the same files),
 * the run's seed, N and the threads per rank.
 *
 * Rank r of R runs the replications i with i % R == r (replicate.h), one thread each by
 * default, and sends each one's row (replicas_row_encode) to rank 0 as soon as the row's
 * turn comes, in increasing index order. Rank 0 runs its own share the same way and, before
 * folding its own replication i, receives and folds every replication below i from the rank
 * that ran it: the rows reach the caller's callbacks in index order 0, 1, 2, ..., never in
 * the order the ranks finished them, and no floating-point sum is ever reduced across ranks.
 * A rank that fails says why to rank 0, which reports it; when the caller stops early (a
 * sequential rule decided), rank 0 tells the other ranks to stop, discards the rows they
 * had already sent, and every rank is ready for the next scenario.
 *
 * MPI is called only from the thread that called replmpi_start (MPI_THREAD_FUNNELED): the
 * callbacks of replicate_run run on that thread.
 */
#ifndef ROUTERSIM_REPLMPI_H
#define ROUTERSIM_REPLMPI_H

#include "sim/stats/replicas.h"
#include "sim/stats/replicate.h"
#include "sim/model/scenario.h"

#include <stddef.h>

/* Start MPI (once per process, before anything else). Returns 0, or -1 with the reason. */
int replmpi_start(int *argc, char ***argv, char *err, size_t errlen);

size_t replmpi_rank(void);  /* this process's rank: 0 runs the command */
size_t replmpi_ranks(void); /* ranks in the job; 1 without mpirun */

/* Ranks other than 0: run the orders rank 0 gives until it is done, then stop MPI. Returns
 * the process's exit status: 0, or 3 when MPI itself failed (rank 0 reports run errors). */
int replmpi_serve(void);

/* Rank 0: tell every other rank that there is nothing more, and stop MPI. */
void replmpi_finish(void);

/* A replication that another rank ran, decoded, in its turn: *row is the caller's to keep
 * (setting it to NULL) or to leave, freed after the call. Same returns as replicate_fn. */
typedef replicate_next (*replmpi_row_fn)(void *ctx, size_t index, replicas_row **row, char *err,
                                         size_t errlen);

/* Rank 0: the replications of sc selected by opt (its rank and ranks are set here) over all
 * the ranks, `fold` called for rank 0's own replications and `fold_row` for the others', all
 * in index order. sets: the --set overrides sc was loaded with, for the other ranks to load
 * it the same way. Returns 0 when every replication was folded or a callback stopped the
 * run, or -1 with the reason in err (a rank's failure names the rank and replication). */
int replmpi_run(const scenario *sc, const char *const *sets, size_t n_sets,
                const replicate_options *opt, replicate_fn fold, replmpi_row_fn fold_row, void *ctx,
                char *err, size_t errlen);

/* ---- lockstep: every rank runs the same command (plan) ----------------------------------
 * A plan's decisions depend on every replication folded so far, so every rank runs the whole
 * planner in lockstep instead of serving rank 0 (planeval.h's spread): at each batch the
 * ranks trade what they ran with replmpi_allgather, and only rank 0 writes and prints. */

/* Collective over every rank: give mine[0 .. len) (len may be 0), get every rank's bytes
 * concatenated in rank order in *all (malloc'd, the caller frees; NULL when all are empty)
 * and their lengths in lens[0 .. replmpi_ranks()). Returns 0, or -1 with the reason. */
int replmpi_allgather(const unsigned char *mine, size_t len, unsigned char **all, size_t *lens,
                      char *err, size_t errlen);

/* Every rank, after a lockstep command: stop MPI (no rank serves). */
void replmpi_end(void);

#endif
