/*
 * report_json — report.json, the machine-readable result of a run, with the fields the
 * scenario format promises (scenario, seed, duration_s, requests, phases, checks, passed).
 */
#ifndef ROUTERSIM_REPORT_JSON_H
#define ROUTERSIM_REPORT_JSON_H

#include "sim/results.h"

#include <stdio.h>

/* Write the report to a stream. Returns 0, or -1 when a write failed. */
int report_json_write(FILE *out, const results *r);

/* Write a JSON string literal, escaped, to out. */
void report_json_string(FILE *out, const char *s);

#endif
