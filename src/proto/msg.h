/* msg.h - building and reading protocol messages (docs/protocol.md).
 *
 * Request:  {"id": N, "op": "service.verb", ...payload}
 * Reply:    {"id": N, "ok": true, ...results}
 *           {"id": N, "ok": false, "error": {"code": "EPERM", "message": "...",
 *                                           "pbs_errno": 15007}}
 * Push:     {"op": "event.xxx", ...} (no id)
 */
#ifndef CORRAL_PROTO_MSG_H
#define CORRAL_PROTO_MSG_H

#include <jansson.h>
#include <stdbool.h>

#include "src/common/error.h"

/* PBS error numbers carried as "pbs_errno"; commands exit with the value
 * modulo 256 as PBS commands do (15001 -> 153). */
enum corral_pbs_errno {
	PBSE_NONE = 0,
	PBSE_UNKJOBID = 15001,
	PBSE_NOATTR = 15002,
	PBSE_ATTRRO = 15003,
	PBSE_IVALREQ = 15004,
	PBSE_UNKREQ = 15005,
	PBSE_PERM = 15007,
	PBSE_JOBEXIST = 15009,
	PBSE_SYSTEM = 15010,
	PBSE_INTERNAL = 15011,
	PBSE_BADATVAL = 15014,
	PBSE_MODATRRUN = 15015,
	PBSE_BADSTATE = 15016,
	PBSE_UNKQUE = 15018,
	PBSE_BADCRED = 15019,
	PBSE_EXPIRED = 15020,
	PBSE_QUNOENB = 15021,
	PBSE_QACESS = 15022,
	PBSE_BADUSER = 15023,
	PBSE_HOPCOUNT = 15024,
	PBSE_QUEEXIST = 15025,
	PBSE_ATTRTYPE = 15026,
	PBSE_QUEBUSY = 15027, /* PBSE_OBJBUSY */
	PBSE_QUENBIG = 15028,
	PBSE_NOSUP = 15029,
	PBSE_QUENOEN = 15030,
	PBSE_PROTOCOL = 15031,
	PBSE_BADATLST = 15032,
	PBSE_NOCONNECTS = 15033,
	PBSE_NOSERVER = 15034,
	PBSE_UNKRESC = 15035,
	PBSE_EXCQRESC = 15036,
	PBSE_QUENODFLT = 15037,
	PBSE_NORERUN = 15038,
	PBSE_ROUTEREJ = 15039,
	PBSE_ROUTEEXPD = 15040,
	PBSE_MOMREJECT = 15041,
	PBSE_BADSCRIPT = 15042,
	PBSE_STAGEIN = 15043,
	PBSE_RESCUNAV = 15044,
	PBSE_BADGRP = 15045,
	PBSE_MAXQUED = 15046,
	PBSE_CKPBSY = 15047,
	PBSE_EXLIMIT = 15048,
	PBSE_BADACCT = 15049,
	PBSE_ALRDYEXIT = 15050,
	PBSE_NOCOPYFILE = 15051,
	PBSE_CLEANEDOUT = 15052,
	PBSE_NOSYNCMSTR = 15053,
	PBSE_BADDEPEND = 15054,
	PBSE_DUPLIST = 15055,
	PBSE_DISPROTO = 15056,
	PBSE_EXECTHERE = 15057,
	PBSE_SISREJECT = 15058,
	PBSE_SISCOMM = 15059,
	PBSE_SVRDOWN = 15060,
	PBSE_CKPSHORT = 15061,
	PBSE_UNKNODE = 15062,
	PBSE_UNKNODEATR = 15063,
	PBSE_NONODES = 15064,
	PBSE_NODENBIG = 15065,
	PBSE_NODEEXIST = 15066,
	PBSE_BADNDATVAL = 15067,
	PBSE_MUTUALEX = 15068,
	PBSE_GMODERR = 15069,
	PBSE_NORELYMOM = 15070,
	PBSE_NOTSNODE = 15071,
	PBSE_HISTJOBID = 15139,
	PBSE_MAXARRAYSIZE = 15107,
	PBSE_INVALSELECTRESC = 15108,
	PBSE_INVALJOBRESC = 15109,
	PBSE_DUPRESC = 15116,
	PBSE_CONNFULL = 15117,
	PBSE_ATVALERANGE = 15144,
	PBSE_NORUNALTEREDJOB = 15157,
	PBSE_SAVE_ERR = 15161,
	PBSE_IVAL_OBJ_NAME = 15172,
	PBSE_JOBNBIG = 15173,
	PBSE_JOBSCRIPTMAXSIZE = 15175,
	PBSE_TRYAGAIN = 15208,
	PBSE_SCHEDEXIST = 15211,
	PBSE_SCHED_NAME_BIG = 15212,
	PBSE_UNKSCHED = 15213,
	PBSE_SCHED_NO_DEL = 15214,
	PBSE_SCHED_OP_NOT_PERMITTED = 15223,
	PBSE_SCHED_PARTITION_ALREADY_EXISTS = 15224,
};

/* {"id": id, "op": op}; caller owns. */
json_t *corral_msg_request(const char *op);
/* {"id": id, "ok": true}; caller owns. */
json_t *corral_msg_ok(json_int_t id);
/* {"id": id, "ok": false, "error": {...}}; pbs_errno 0 is omitted. */
json_t *corral_msg_err(json_int_t id, int code, int pbs_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An error object {"code":..,"message":..[,"pbs_errno":..]} alone, for
 * per-item results. */
json_t *corral_msg_errobj(int code, int pbs_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read an error object (or a reply with "ok": false) into err; returns
 * -code, or 0 when the message is ok.  *pbs_errno (may be NULL) gets the
 * PBS number or 0. */
int corral_msg_error(const json_t *msg, corral_error_t *err, int *pbs_errno);

/* Borrowed string member or NULL. */
const char *corral_msg_str(const json_t *msg, const char *key);

#endif
