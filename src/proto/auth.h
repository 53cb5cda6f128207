/* auth.h - the cluster key and the HMAC-SHA256 challenge-response that
 * gives a peer the service role (docs/protocol.md, "Authentication").
 *
 * The key file holds 64 hex digits (32 random bytes) and a newline, mode
 * 0600, owned by the daemon's user.  A key file readable or writable by
 * group or others is refused.
 *
 * Handshake (TCP peers):  the server's hello reply carries a fresh random
 * nonce S; the client sends {"op":"auth","cnonce":C,"mac":M} with
 * M = HMAC(key, "corral-client\n" S "\n" C); the server checks M in
 * constant time and answers with HMAC(key, "corral-server\n" S "\n" C) so
 * the client knows the server holds the key too.  S is never reused, so a
 * recorded exchange cannot be replayed.
 */
#ifndef CORRAL_PROTO_AUTH_H
#define CORRAL_PROTO_AUTH_H

#include <stddef.h>

#include "src/common/error.h"

#define CORRAL_KEY_BYTES 32
#define CORRAL_HEX_LEN 65 /* 64 hex digits + NUL */

/* Load the key; -EACCES with a message for loose permissions, -ENOENT when
 * missing, -EINVAL for a malformed file. */
int corral_key_load(const char *path, unsigned char key[CORRAL_KEY_BYTES], corral_error_t *err);
/* Create a new random key file (mode 0600); -EEXIST when it exists. */
int corral_key_create(const char *path, corral_error_t *err);
/* A fresh random nonce as 64 hex digits. */
void corral_auth_nonce(char hex[CORRAL_HEX_LEN]);
/* HMAC-SHA256(key, label "\n" a "\n" b) as hex. */
void corral_auth_mac(const unsigned char key[CORRAL_KEY_BYTES], const char *label, const char *a,
		     const char *b, char hex[CORRAL_HEX_LEN]);
/* Constant-time check of a hex MAC; 0 or -EACCES. */
int corral_auth_verify(const unsigned char key[CORRAL_KEY_BYTES], const char *label, const char *a,
		       const char *b, const char *mac_hex);

#define CORRAL_AUTH_CLIENT "corral-client"
#define CORRAL_AUTH_SERVER "corral-server"

#endif
