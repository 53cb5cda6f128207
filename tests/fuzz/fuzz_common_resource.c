/* fuzz_common_resource.c - libFuzzer target: resource values
 * (src/common/resource.h): sizes, durations, select, place, and
 * corral_res_normalize as qsub -l and the server use it.
 *
 * Input: one value as text, e.g. "4gb", "01:30:00", "2:ncpus=4:mem=8gb",
 * "scatter:excl", or a resource assignment "select=2:ncpus=4" (split at the
 * first '=' into name and value for corral_res_normalize).  The whole text
 * goes to every parser; a NUL byte ends it as it ends a C string.
 *
 * Beyond "no crash, no leak", each accepted value must survive its own
 * canonical text: format, parse again, same value; normalising the
 * canonical text changes nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/error.h"
#include "src/common/resource.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A failure has a code and a message; a success touches neither. */
static void check_rc(int rc, const corral_error_t *err)
{
	if (rc < 0)
		CHECK(err->code == -rc && err->text[0], "rc %d, code %d, text '%s'", rc, err->code,
		      err->text);
	else
		CHECK(rc == 0 && err->code == 0, "rc %d, code %d", rc, err->code);
}

static void size_value(const char *s)
{
	corral_error_t err = {0};
	uint64_t v = 0, back = 0;
	char buf[32];
	int rc = corral_size_parse(s, &v, &err);
	check_rc(rc, &err);
	if (rc < 0)
		return;
	corral_size_format(v, buf, sizeof buf);
	CHECK(corral_size_parse(buf, &back, NULL) == 0 && back == v,
	      "size '%s' -> %" PRIu64 " -> '%s' -> %" PRIu64, s, v, buf, back);
}

static void duration_value(const char *s)
{
	corral_error_t err = {0};
	int64_t v = 0, back = 0;
	char buf[48];
	int rc = corral_duration_parse(s, &v, &err);
	check_rc(rc, &err);
	if (rc < 0)
		return;
	CHECK(v >= 0, "duration '%s' -> %" PRId64, s, v);
	corral_duration_format(v, buf, sizeof buf);
	CHECK(corral_duration_parse(buf, &back, NULL) == 0 && back == v,
	      "duration '%s' -> %" PRId64 " -> '%s' -> %" PRId64, s, v, buf, back);
}

static void select_value(const char *s)
{
	corral_error_t err = {0};
	struct corral_select *sel = NULL;
	int rc = corral_select_parse(s, &sel, &err);
	check_rc(rc, &err);
	if (rc < 0) {
		CHECK(sel == NULL, "failed select parse set *out");
		return;
	}
	CHECK(sel && sel->nchunks > 0, "select '%s': no chunks", s);
	char *text = corral_select_format(sel);
	struct corral_select *again = NULL;
	rc = corral_select_parse(text, &again, &err);
	CHECK(rc == 0, "select '%s' -> '%s' does not parse: %s", s, text, err.text);
	char *text2 = corral_select_format(again);
	CHECK(strcmp(text, text2) == 0, "select '%s' -> '%s' -> '%s'", s, text, text2);
	CHECK(corral_select_nodect(sel) == corral_select_nodect(again), "nodect differs");
	static const char *const sums[] = {"ncpus", "mem", "ngpus", "mpiprocs", "vmem", "arch"};
	for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++)
		CHECK(corral_select_total(sel, sums[i]) == corral_select_total(again, sums[i]),
		      "select '%s': total %s differs", s, sums[i]);
	free(text);
	free(text2);
	corral_select_destroy(again);
	corral_select_destroy(sel);
}

static void place_value(const char *s)
{
	corral_error_t err = {0};
	struct corral_place p, q;
	char buf[128];
	int rc = corral_place_parse(s, &p, &err);
	check_rc(rc, &err);
	if (rc < 0)
		return;
	corral_place_format(&p, buf, sizeof buf);
	rc = corral_place_parse(buf, &q, &err);
	CHECK(rc == 0 && p.arrangement == q.arrangement && p.sharing == q.sharing &&
		  strcmp(p.group, q.group) == 0,
	      "place '%s' -> '%s' -> rc %d", s, buf, rc);
}

/* name=value through corral_res_normalize, as qsub -l does per item. */
static void normalize(const char *name, const char *value)
{
	corral_error_t err = {0};
	char *canon = NULL, *again = NULL;
	int rc = corral_res_normalize(name, value, &canon, &err);
	check_rc(rc, &err);
	if (rc < 0) {
		CHECK(canon == NULL, "failed normalize set *out");
		return;
	}
	CHECK(canon != NULL, "normalize gave no text");
	rc = corral_res_normalize(name, canon, &again, &err);
	CHECK(rc == 0 && strcmp(canon, again) == 0, "%s: '%s' -> '%s' -> rc %d '%s' (%s)", name,
	      value, canon, rc, again ? again : "", err.text);
	free(canon);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	size_value(s);
	duration_value(s);
	select_value(s);
	place_value(s);
	(void)corral_res_type(s);

	char *eq = strchr(s, '=');
	if (eq) {
		*eq = '\0';
		normalize(s, eq + 1);
		*eq = '=';
	}
	/* the same text as the value of resources of every type */
	static const char *const names[] = {"select", "place", "walltime",     "mem",
					    "ncpus",  "arch",  "scratch_local"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		normalize(names[i], s);
	free(s);
	return 0;
}
