/* resource.h - PBS resource values: sizes, durations, select and place.
 *
 * Sizes:     "4gb", "512mb", "100kb", "1024" (bytes), "2w" (words = 8 bytes);
 *            suffixes b kb mb gb tb pb (and w kw mw gw tw pw), any case,
 *            1kb = 1024 b.  Formatted back PBS-style: the largest unit that
 *            divides the value exactly, lower case ("4gb", "1536mb", "100b").
 * Durations: "[[HH:]MM:]SS" with any number of hours, or plain seconds;
 *            an optional fractional ".SS" part is dropped.  Formatted as
 *            "HH:MM:SS" (hours not capped at 99).
 * select:    "[N:]res=val[:res=val...][+[N:]res=val...]"
 * place:     "[free|pack|scatter|vscatter][:excl|shared|exclhost][:group=res]"
 *            in any order, separated by ':'.
 * Every parser returns 0 or a negative errno and fills err with a message
 * that names the bad text; on failure it changes nothing it was given.
 */
#ifndef CORRAL_COMMON_RESOURCE_H
#define CORRAL_COMMON_RESOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "src/common/error.h"

enum corral_res_type {
	RES_UNKNOWN = 0, /* not a built-in resource (custom: treated as string) */
	RES_LONG,        /* ncpus, ngpus, nodect, mpiprocs, ompthreads */
	RES_SIZE,        /* mem, vmem */
	RES_DURATION,    /* walltime, cput */
	RES_STRING,      /* arch, host, vnode, software */
	RES_SELECT,      /* select */
	RES_PLACE,       /* place */
	RES_BOOL,
	RES_FLOAT,
};

/* Type of a built-in resource name ("ncpus" -> RES_LONG). */
enum corral_res_type corral_res_type(const char *name);

int corral_size_parse(const char *s, uint64_t *bytes, corral_error_t *err);
/* Writes at most n bytes (n >= 24 always suffices); returns buf. */
char *corral_size_format(uint64_t bytes, char *buf, size_t n);
int corral_duration_parse(const char *s, int64_t *secs, corral_error_t *err);
char *corral_duration_format(int64_t secs, char *buf, size_t n);

/* Validate value for resource name and write its canonical text into out
 * (caller frees): sizes and durations normalised, longs checked >= 0,
 * select/place re-emitted canonically.  Unknown names accept any non-empty
 * value without '=' or ',' in it (custom resources). */
int corral_res_normalize(const char *name, const char *value, char **out, corral_error_t *err);

struct corral_res_kv {
	char *name;
	char *value; /* canonical text */
};

struct corral_chunk {
	int count;                 /* N in "N:..." (default 1) */
	int nres;
	struct corral_res_kv *res; /* in given order */
};

struct corral_select {
	int nchunks;
	struct corral_chunk *chunks;
};

int corral_select_parse(const char *s, struct corral_select **out, corral_error_t *err);
void corral_select_destroy(struct corral_select *sel);
/* Canonical text, e.g. "2:ncpus=4:mem=4gb+1:ncpus=1"; caller frees. */
char *corral_select_format(const struct corral_select *sel);
/* Sum over chunks of count * value of a RES_LONG or RES_SIZE resource
 * (missing counts as 0). */
uint64_t corral_select_total(const struct corral_select *sel, const char *name);
/* Sum of chunk counts. */
int corral_select_nodect(const struct corral_select *sel);

enum corral_place_arr { PLACE_FREE, PLACE_PACK, PLACE_SCATTER, PLACE_VSCATTER };
enum corral_place_share { PLACE_SHARED, PLACE_EXCL, PLACE_EXCLHOST };

struct corral_place {
	enum corral_place_arr arrangement; /* default PLACE_FREE */
	enum corral_place_share sharing;   /* default PLACE_SHARED */
	char group[64];                    /* "" when no group= */
};

int corral_place_parse(const char *s, struct corral_place *out, corral_error_t *err);
char *corral_place_format(const struct corral_place *p, char *buf, size_t n);

#endif
