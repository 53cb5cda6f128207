/* frame.h - the wire framing: a 4-byte big-endian length, then that many
 * bytes of UTF-8 JSON holding one object (docs/protocol.md, "Framing").
 */
#ifndef CORRAL_PROTO_FRAME_H
#define CORRAL_PROTO_FRAME_H

#include <jansson.h>
#include <stddef.h>

#include "src/common/buf.h"
#include "src/common/error.h"

#define CORRAL_PROTO_VERSION 1
#define CORRAL_FRAME_MAX_DEFAULT (64u << 20) /* 64 MiB */

/* Append one frame holding the compact JSON text of msg to out.
 * 0, or -EINVAL when msg cannot be encoded. */
int corral_frame_encode(struct corral_buf *out, const json_t *msg);

/* Cut one frame from the head of in.
 *   1   a frame was decoded into *msg (caller owns it) and consumed;
 *   0   more bytes are needed (nothing consumed);
 *   -EMSGSIZE  the announced length exceeds max: the stream cannot be
 *              resynchronised, the caller must close the connection;
 *   -EPROTO    the frame was consumed but is not a JSON object (err says
 *              why); the caller may reply with an error and go on.
 */
int corral_frame_decode(struct corral_buf *in, size_t max, json_t **msg, corral_error_t *err);

#endif
