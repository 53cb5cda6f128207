/* expr.h - the typed expression language of job `requirements`, job `rank`
 * and node `start` (Condor-classad-style two-way matching).
 *
 * A job's `requirements` is evaluated over a node's attributes and must
 * hold for the job to be placed there; its `rank` is a number over the
 * node's attributes (higher is preferred); a node's `start` is evaluated
 * over a job's attributes and must hold for the node to accept the job.
 * An expression is parsed once, bound once to the caller's attribute keys,
 * then evaluated many times (job x node pairs in a scheduling cycle).
 *
 * LANGUAGE
 *
 *   Literals   42  3.5  .5         numbers (double)
 *              4gb 512mb 100kb 2w  sizes in bytes: units b kb mb gb tb pb,
 *                                  w kw mw gw tw pw (w = 8 bytes), any case,
 *                                  1kb = 1024b; "1.5gb" is allowed
 *              01:30:00  30:00     durations [[H:]M:]S in seconds
 *              "x86_64"            strings; \" and \\ are escapes, any
 *                                  other backslash is kept as written
 *                                  ("a\.b" is the 4 bytes a \ . b)
 *              true false          booleans (any case: True, FALSE)
 *   Names      [A-Za-z_][A-Za-z0-9_.]*, e.g. arch mem ncpus features host
 *              Resource_List.ncpus; what a name means is up to the caller
 *              (sc_expr_bind); a name the caller does not know is undefined.
 *   Operators, loosest first:
 *              a || b              Kleene or
 *              a && b              Kleene and
 *              ! a                 not (a leading `!` covers a comparison:
 *                                  `!a == b` is `!(a == b)`)
 *              a == b  a != b  a < b  a <= b  a > b  a >= b
 *              a =~ "regex"        POSIX extended regex search (unanchored;
 *                                  use ^ $), right side a string literal,
 *                                  compiled at parse time (see REGEX);
 *                                  comparisons do not chain (`a < b < c`
 *                                  is an error)
 *              a + b  a - b        numbers
 *              a * b  a / b        numbers (x / 0 is undefined)
 *              -a  !a              unary minus; `!` right after an operator
 *                                  binds to one operand (`a == !b`)
 *              ( a )
 *   Functions  defined(x)          true unless x is undefined
 *              has(list, item)     list is a comma-separated string
 *                                  ("ssd,ib"); true when one element (spaces
 *                                  around elements ignored) equals item
 *              min(a, b) max(a, b) numbers
 *
 * VALUES AND COERCION
 *   Values are undefined, bool, number (double) or string.  An undefined
 *   operand makes a comparison, arithmetic, regex match, has(), min() and
 *   max() undefined.  && and || follow Kleene logic: false && undefined is
 *   false, true || undefined is true, otherwise undefined spreads; !undefined
 *   is undefined.  Truth of a value (for && || ! and sc_expr_holds): a bool
 *   is itself, a number is true when non-zero, a string is read as
 *   true/false/yes/no/t/f/y/n (any case) or as a number, else undefined.
 *   A string meets a number: the string is read as a number, size or
 *   duration ("16gb", "8", "01:00:00"; sign and surrounding blanks allowed),
 *   and the comparison is undefined when it is none of them.  A string meets
 *   a bool: the string's truth is compared.  Two strings: == and != compare
 *   bytes (case-sensitive); < <= > >= compare as numbers when both read as
 *   numbers, else bytewise.  Arithmetic reads strings and bools (0/1) as
 *   numbers.  =~ and has() read numbers as text (%.15g) and bools as
 *   "true"/"false".
 *   A requirements/start expression holds only when its value is true.
 *
 * REGEX
 *   POSIX extended regular expressions, bytewise (C locale), case-sensitive,
 *   matched anywhere in the text: literals, '.', bracket expressions
 *   ([a-z0-9_], [^...], []...], [:alpha:] and the other 11 POSIX classes,
 *   [=c=], [.c.]), ^ and $, ( ), |, * + ? {m} {m,} {m,n} (bounds at most
 *   255), \d \D \s \S \w \W; any other \c is the literal c.  Not
 *   supported: back-references, {,n}, multi-character collating elements.
 *   Remember that the string literal takes its own escapes first: only \"
 *   and \\ are escapes there, so "a\.b" reaches the regex as a\.b.  Own
 *   engine (a Thompson NFA, no backtracking): matching costs at most
 *   len(text) x len(program) steps; a pattern compiles to at most 2000
 *   instructions ("pattern too large" otherwise; x{m,n} copies x max(m,n)
 *   times).
 *
 * LIMITS
 *   Text at most SC_EXPR_MAX_TEXT bytes, parentheses, function calls and
 *   unary operators nested at most SC_EXPR_MAX_DEPTH deep (regex groups
 *   too), evaluation stack at most SC_EXPR_MAX_STACK values.  The parser
 *   accepts arbitrary bytes; every failure is a message with a 1-based byte
 *   column, e.g. "expected ')' at column 17".
 *
 * EVALUATION COST
 *   sc_expr_eval() allocates nothing: values live in a fixed array on the C
 *   stack, regex matching in arrays on the C stack (at most 32 KiB).
 *   Lookups that return SC_NUM for numeric attributes avoid re-reading
 *   strings like "16gb" on every evaluation.
 *
 * THREADS
 *   A parsed and bound expression is read-only during evaluation: many
 *   threads may evaluate it at once.  Parse, bind and destroy need one owner.
 */
#ifndef CORRAL_SCHED_EXPR_H
#define CORRAL_SCHED_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "src/common/error.h"

#define SC_EXPR_MAX_TEXT 4096
#define SC_EXPR_MAX_DEPTH 64
#define SC_EXPR_MAX_STACK 512

struct sc_expr;

enum sc_vtype {
	SC_UNDEF = 0,
	SC_BOOL, /* num is 0 or 1 */
	SC_NUM,  /* num */
	SC_STR,  /* str/len: len bytes, need not be NUL-terminated */
};

struct sc_value {
	enum sc_vtype type;
	double num;
	const char *str; /* borrowed: from the expression or from the lookup */
	size_t len;
};

/* Resolve an attribute name to a key >= 0, or -1 when the caller does not
 * know it (it then evaluates to undefined). */
typedef int (*sc_resolve_fn)(void *ctx, const char *name);

/* Fill out with the value of the attribute with this key (a key that
 * resolve returned).  out arrives set to SC_UNDEF; leave it so for an
 * attribute the current object lacks.  Strings are borrowed: they must
 * stay valid until sc_expr_eval returns. */
typedef void (*sc_lookup_fn)(void *ctx, int key, struct sc_value *out);

/* Parse text (NUL-terminated, any bytes).  Returns a new expression the
 * caller owns (sc_expr_destroy), with every name unbound (undefined), or
 * NULL with err (may be NULL) filled: code EINVAL and a message naming the
 * 1-based column, e.g. "expected ')' at column 17".  The message has no
 * prefix; callers add the attribute name ("requirements: ...").  An empty or
 * all-blank text is an error ("empty expression"). */
struct sc_expr *sc_expr_parse(const char *text, corral_error_t *err);

/* Free e; NULL is a no-op. errno is left alone. */
void sc_expr_destroy(struct sc_expr *e);

/* Resolve every distinct name of e once through resolve(ctx, name) and
 * remember the keys for evaluation; may be called again to rebind.
 * Returns the number of names resolve did not know (-1), or -EINVAL when e
 * or resolve is NULL. */
int sc_expr_bind(struct sc_expr *e, sc_resolve_fn resolve, void *ctx);

/* Evaluate e, fetching attribute values through lookup(ctx, key, ...)
 * (lookup may be NULL: every name is undefined).  Returns 0 with *out set;
 * a string in *out is borrowed from e or from the lookup's data.  Runtime
 * problems (type mismatch, division by zero) yield undefined, never an
 * error.  Returns -EINVAL (out set to undefined when not NULL) when e or
 * out is NULL. */
int sc_expr_eval(const struct sc_expr *e, sc_lookup_fn lookup, void *ctx, struct sc_value *out);

/* True when e evaluates to true (see "truth" above).  A NULL e holds: no
 * expression means no constraint. */
bool sc_expr_holds(const struct sc_expr *e, sc_lookup_fn lookup, void *ctx);

/* The value of e as a number (for rank): a number, a bool as 0/1, a string
 * that reads as a number; else (undefined, other strings, NULL e) dflt. */
double sc_expr_number(const struct sc_expr *e, sc_lookup_fn lookup, void *ctx, double dflt);

/* The text e was parsed from (borrowed, valid until destroy). */
const char *sc_expr_text(const struct sc_expr *e);

/* The distinct names e refers to, in order of first appearance (borrowed),
 * e.g. to check them against known attributes.  sc_expr_name returns NULL
 * for i out of range. */
int sc_expr_nnames(const struct sc_expr *e);
const char *sc_expr_name(const struct sc_expr *e, int i);

/* Read a string as a number: [blanks][sign]digits[.digits][unit][blanks]
 * with a size unit (bytes), or [[H:]M:]S (seconds).  Returns true and sets
 * *num, or false.  The coercion the evaluator uses; exported so callers can
 * pre-convert attribute values to SC_NUM with the same rules. */
bool sc_expr_str_to_num(const char *s, size_t len, double *num);

#endif
