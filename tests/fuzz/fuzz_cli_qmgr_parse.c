/* fuzz_cli_qmgr_parse.c - libFuzzer target: the qmgr directive language
 * (src/cli/lib/qmgr_parse.h).
 *
 * Input: qmgr input as a -c argument or a script gives it, e.g.
 *     create queue q1 queue_type=execution,enabled=true; set server managers += bob@*
 * (a NUL byte ends it).  The whole text goes to qmgr_parse, its first line
 * to qmgr_parse_directive, and every help topic named to qmgr_help_text.
 *
 * Checks beyond "no crash, no leak": every item is well formed as the
 * header describes it - a valid directive has its command and object in
 * range, names without '@' or ',', an operator exactly when a value; an
 * error has a kind, a message ending in a newline and a column inside the
 * directive text exactly for name and syntax errors.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/lib/qmgr_parse.h"

#define CHECK(cond, it)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s on directive '%s'\n", __FILE__, __LINE__,       \
				#cond, (it)->text ? (it)->text : "(null)");                        \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_item(const struct qmgr_item *it)
{
	CHECK(it->text != NULL, it);
	if (!it->ok) {
		CHECK(it->kind >= QMGR_ERR_OPERATION && it->kind <= QMGR_ERR_SYNTAX, it);
		size_t n = it->message ? strlen(it->message) : 0;
		CHECK(n > 0 && it->message[n - 1] == '\n', it);
		if (it->kind == QMGR_ERR_NAME || it->kind == QMGR_ERR_SYNTAX)
			CHECK(it->column >= 0 && (size_t)it->column <= strlen(it->text), it);
		else
			CHECK(it->column == -1, it);
		return;
	}
	const struct qmgr_directive *d = &it->d;
	CHECK(d->cmd >= QMGR_CMD_CREATE && d->cmd <= QMGR_CMD_QUIT, it);
	CHECK(strcmp(qmgr_cmd_name(d->cmd), "?") != 0, it);
	if (d->cmd == QMGR_CMD_HELP || d->cmd == QMGR_CMD_QUIT) {
		CHECK(d->nnames == 0 && d->nattrs == 0, it);
		if (d->help_topic)
			(void)qmgr_help_text(d->help_topic);
		return;
	}
	CHECK(d->obj >= QMGR_OBJ_SERVER && d->obj <= QMGR_OBJ_SCHED, it);
	CHECK(qmgr_obj_name(d->obj)[0] != '\0', it);
	CHECK(d->nnames >= 0 && (d->nnames == 0 || d->names), it);
	for (int i = 0; i < d->nnames; i++)
		CHECK(d->names[i] && d->names[i][0] && !strpbrk(d->names[i], "@,"), it);
	CHECK(d->nattrs >= 0 && (d->nattrs == 0 || d->attrs), it);
	if (d->cmd == QMGR_CMD_SET || d->cmd == QMGR_CMD_UNSET)
		CHECK(d->nattrs > 0, it);
	for (int i = 0; i < d->nattrs; i++) {
		const struct qmgr_attr *a = &d->attrs[i];
		CHECK(a->name && a->name[0], it);
		CHECK((a->op == QMGR_OP_NONE) == (a->value == NULL), it);
		if (d->cmd == QMGR_CMD_UNSET)
			CHECK(a->op == QMGR_OP_NONE, it);
		if (d->cmd == QMGR_CMD_SET || d->cmd == QMGR_CMD_CREATE)
			CHECK(a->op != QMGR_OP_NONE, it);
		(void)qmgr_op_name(a->op);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct qmgr_script s;
	qmgr_parse(text, &s);
	if (s.n < 0 || (s.n > 0 && !s.items))
		abort();
	for (int i = 0; i < s.n; i++)
		check_item(&s.items[i]);
	qmgr_script_destroy(&s);

	/* One directive alone (no ';', newline or comment handling). */
	char *nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	struct qmgr_item it;
	bool ok = qmgr_parse_directive(text, &it);
	if (ok != it.ok)
		abort();
	check_item(&it);
	qmgr_item_clear(&it);

	(void)qmgr_help_text(text);
	free(text);
	return 0;
}
