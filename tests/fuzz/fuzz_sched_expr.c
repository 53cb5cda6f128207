/* fuzz_sched_expr.c - libFuzzer target: the requirements / rank / start
 * expression language (src/sched/expr.h).
 *
 * Input: the text of one expression, e.g.
 *     arch == "x86_64" && mem >= 8gb && host =~ "^n[0-9]+$"
 * (a NUL byte ends it, as it ends the attribute value it comes from).  It
 * is parsed; when it parses it is bound to a small fixed node and a small
 * fixed job (the names of both, including Resource_List.*), evaluated
 * against each as a requirements, a rank and a start expression would be,
 * and evaluated with no lookup at all.  The raw text also goes through
 * sc_expr_str_to_num, the coercion the evaluator applies to strings.
 *
 * Checks beyond "no crash, no leak": a failed parse has code EINVAL and a
 * message; a parsed expression keeps its text; names are distinct and in
 * range; evaluating twice gives the same value.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/error.h"
#include "src/sched/expr.h"

/* clang-format off */
#define S(n, s) {n, {SC_STR, 0, s, sizeof(s) - 1}}
#define N(n, x) {n, {SC_NUM, x, NULL, 0}}
#define B(n, x) {n, {SC_BOOL, x, NULL, 0}}
/* clang-format on */

struct attr {
	const char *name;
	struct sc_value v;
};

struct obj {
	const struct attr *attrs;
	int n;
};

static const struct attr node_attrs[] = {
    S("arch", "x86_64"),
    S("mem", "16gb"),
    S("ncpus", "8"),
    S("features", "ssd, ib ,fast"),
    S("host", "n042"),
    S("has_gpu", "True"),
    S("walltime", "01:30:00"),
    N("ngpus", 2),
    N("nmem", 17179869184.0),
    N("load", -0.25),
    N("huge", 1e308),
    B("exclusive", 0),
    S("empty", ""),
    S("queue", "workq"),
    S("state", "free"),
    {"absent", {SC_UNDEF, 0, NULL, 0}},
};

static const struct attr job_attrs[] = {
    S("Resource_List.ncpus", "4"),
    S("Resource_List.mem", "8gb"),
    S("Resource_List.walltime", "00:30:00"),
    S("Resource_List.select", "2:ncpus=4:mem=8gb"),
    S("Job_Owner", "alice@login1"),
    S("user", "alice"),
    S("queue", "debug"),
    S("project", "p\"q\\r"),
    N("Priority", -5),
    B("Rerunable", 1),
};

static int resolve(void *ctx, const char *name)
{
	const struct obj *o = ctx;
	if (!name)
		abort();
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->attrs[i].name, name) == 0)
			return i;
	return -1;
}

static void lookup(void *ctx, int key, struct sc_value *out)
{
	const struct obj *o = ctx;
	if (key < 0 || key >= o->n || out->type != SC_UNDEF) {
		fprintf(stderr, "lookup: key %d of %d, type %d\n", key, o->n, out->type);
		abort();
	}
	*out = o->attrs[key].v;
}

static bool same_value(const struct sc_value *a, const struct sc_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case SC_UNDEF:
		return true;
	case SC_BOOL:
	case SC_NUM:
		return a->num == b->num || (isnan(a->num) && isnan(b->num));
	case SC_STR:
		return a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
	}
	return false;
}

static void evaluate(struct sc_expr *e, const struct obj *o)
{
	struct obj *ctx = (struct obj *)o;
	int unknown = sc_expr_bind(e, resolve, ctx);
	if (unknown < 0 || unknown > sc_expr_nnames(e))
		abort();
	struct sc_value v1, v2;
	if (sc_expr_eval(e, lookup, ctx, &v1) != 0 || sc_expr_eval(e, lookup, ctx, &v2) != 0)
		abort();
	if (!same_value(&v1, &v2))
		abort();
	if (v1.type == SC_STR && v1.len > 0 && !v1.str)
		abort();
	(void)sc_expr_holds(e, lookup, ctx);
	(void)sc_expr_number(e, lookup, ctx, -1.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	double num;
	(void)sc_expr_str_to_num((const char *)data, size, &num);

	corral_error_t err = {0};
	struct sc_expr *e = sc_expr_parse(text, &err);
	if (!e) {
		if (err.code != EINVAL || !err.text[0]) {
			fprintf(stderr, "parse failed with code %d, text '%s'\n", err.code,
				err.text);
			abort();
		}
		free(text);
		return 0;
	}
	if (err.code != 0 || strcmp(sc_expr_text(e), text) != 0)
		abort();
	int n = sc_expr_nnames(e);
	for (int i = 0; i < n; i++) {
		const char *a = sc_expr_name(e, i);
		if (!a || !a[0])
			abort();
		for (int j = 0; j < i; j++)
			if (strcmp(a, sc_expr_name(e, j)) == 0)
				abort(); /* names are distinct */
	}
	if (sc_expr_name(e, n) != NULL || sc_expr_name(e, -1) != NULL)
		abort();

	/* unbound: every name undefined, with and without a lookup */
	struct sc_value v;
	const struct obj none = {NULL, 0};
	if (sc_expr_eval(e, NULL, NULL, &v) != 0)
		abort();
	if (sc_expr_eval(e, lookup, (void *)&none, &v) != 0)
		abort();

	const struct obj node = {node_attrs, (int)(sizeof node_attrs / sizeof node_attrs[0])};
	const struct obj job = {job_attrs, (int)(sizeof job_attrs / sizeof job_attrs[0])};
	evaluate(e, &node); /* requirements, rank */
	evaluate(e, &job);  /* start */

	sc_expr_destroy(e);
	free(text);
	return 0;
}
