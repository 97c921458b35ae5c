/* SPDX-License-Identifier: MIT */
/*
 * gateway — a toy inference gateway that links libroutersim-selector: the choice of
 * deployment a router makes, nothing else. Deployments and their replica counts come from
 * the command line; each line of stdin is one request (its text is the request's id) and
 * gets one line on stdout, "ID DEPLOYMENT", or "ID -" when no deployment has replicas.
 * A line "!scale NAME N" sets NAME's replicas to N from then on, as an autoscaler would.
 *
 *   gateway [--seed N] NAME=REPLICAS...
 *
 * The random words come from the gateway's own generator (splitmix64 here; use the one
 * your gateway already has): the library never draws randomness of its own.
 */
#include <routersim/selector.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t splitmix64(void *ctx)
{
    uint64_t *state = ctx;
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static int parse_count(const char *text, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--seed") == 0) {
        seed = strtoull(argv[2], NULL, 10);
        first = 3;
    }
    size_t n = argc > first ? (size_t)(argc - first) : 0;
    if (n == 0) {
        fprintf(stderr, "usage: gateway [--seed N] NAME=REPLICAS...\n");
        return 2;
    }
    char **names = calloc(n, sizeof *names);
    uint32_t *replicas = calloc(n, sizeof *replicas);
    if (!names || !replicas) {
        fprintf(stderr, "gateway: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = argv[first + (int)i];
        char *eq = strchr(names[i], '=');
        if (eq == NULL || eq == names[i] || parse_count(eq + 1, &replicas[i]) != 0) {
            fprintf(stderr, "gateway: %s: expected NAME=REPLICAS\n", names[i]);
            return 2;
        }
        *eq = '\0';
    }
    selector *s = selector_new(SELECTOR_WEIGHTED_RANDOM, n, replicas);
    if (s == NULL) {
        fprintf(stderr, "gateway: too many deployments or replicas\n");
        return 2;
    }

    char line[4096];
    int status = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char name[256];
        char count[32];
        if (sscanf(line, "!scale %255s %31s", name, count) == 2) {
            size_t i = 0;
            while (i < n && strcmp(names[i], name) != 0)
                i++;
            if (i == n || parse_count(count, &replicas[i]) != 0 ||
                selector_set_weights(s, replicas) != 0) {
                fprintf(stderr, "gateway: %s: unknown deployment or bad count\n", line);
                status = 2;
                break;
            }
            continue;
        }
        int pick = selector_pick(s, splitmix64, &seed);
        printf("%s %s\n", line, pick == SELECTOR_NO_REPLICAS ? "-" : names[pick]);
    }
    selector_free(s);
    free(names);
    free(replicas);
    return status;
}
