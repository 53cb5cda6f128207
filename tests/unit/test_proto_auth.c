/* test_proto_auth.c - cluster key files and the HMAC challenge-response
 * (src/proto/auth.h).  Every test works in its own mkdtemp directory,
 * removed afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/common/buf.h"
#include "src/common/error.h"
#include "src/proto/auth.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct dir {
	char path[64];
	char key[128]; /* <path>/cluster.key */
};

static int setup_dir(void **state)
{
	struct dir *d = xcalloc(1, sizeof *d);
	snprintf(d->path, sizeof d->path, "/tmp/corral-ut-auth-XXXXXX");
	if (!mkdtemp(d->path)) {
		free(d);
		return -1;
	}
	snprintf(d->key, sizeof d->key, "%s/cluster.key", d->path);
	*state = d;
	return 0;
}

static int teardown_dir(void **state)
{
	struct dir *d = *state;
	char *cmd = xasprintf("rm -rf '%s'", d->path);
	int rc = system(cmd);
	free(cmd);
	free(d);
	return rc == 0 ? 0 : -1;
}

/* Write a file with the given content and mode (mode set with chmod, so
 * the umask does not matter). */
static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static int is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static const unsigned char KEY_A[CORRAL_KEY_BYTES] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0xff,
};
static const char KEY_A_HEX[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1eff";

/* ---- key files ---------------------------------------------------------- */

static void test_key_create(void **state)
{
	struct dir *d = *state;
	corral_error_t err = {0};
	mode_t old = umask(0); /* even with no umask the file is 0600 */
	int rc = corral_key_create(d->key, &err);
	umask(old);
	assert_int_equal(rc, 0);

	struct stat sb;
	assert_int_equal(stat(d->key, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, 65);

	char text[128] = {0};
	int fd = open(d->key, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, text, sizeof text - 1), 65);
	close(fd);
	assert_true(is_lower_hex(text, 64));
	assert_int_equal(text[64], '\n');

	/* what was created loads, and gives the bytes of the hex text */
	unsigned char key[CORRAL_KEY_BYTES];
	assert_int_equal(corral_key_load(d->key, key, &err), 0);
	char hex[CORRAL_HEX_LEN];
	for (int i = 0; i < CORRAL_KEY_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	assert_memory_equal(hex, text, 64);

	/* a second create refuses and leaves the key alone */
	memset(&err, 0, sizeof err);
	assert_int_equal(corral_key_create(d->key, &err), -EEXIST);
	assert_int_equal(err.code, EEXIST);
	assert_non_null(strstr(err.text, d->key));
	char again[128] = {0};
	fd = open(d->key, O_RDONLY);
	assert_int_equal(read(fd, again, sizeof again - 1), 65);
	close(fd);
	assert_string_equal(again, text);
	/* err may be NULL */
	assert_int_equal(corral_key_create(d->key, NULL), -EEXIST);
}

static void test_key_create_random(void **state)
{
	struct dir *d = *state;
	char *k2 = xasprintf("%s/second.key", d->path);
	assert_int_equal(corral_key_create(d->key, NULL), 0);
	assert_int_equal(corral_key_create(k2, NULL), 0);
	unsigned char a[CORRAL_KEY_BYTES], b[CORRAL_KEY_BYTES];
	assert_int_equal(corral_key_load(d->key, a, NULL), 0);
	assert_int_equal(corral_key_load(k2, b, NULL), 0);
	assert_memory_not_equal(a, b, sizeof a);
	/* a directory that does not exist */
	char *bad = xasprintf("%s/no/such/dir.key", d->path);
	corral_error_t err = {0};
	assert_int_equal(corral_key_create(bad, &err), -ENOENT);
	assert_int_equal(err.code, ENOENT);
	free(bad);
	free(k2);
}

static void test_key_load_ok(void **state)
{
	struct dir *d = *state;
	unsigned char key[CORRAL_KEY_BYTES];
	corral_error_t err = {0};
	static const char *forms[] = {
	    "%s\n",
	    "%s",
	    "%s\r\n",
	    "%s  \n\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		char text[128];
		snprintf(text, sizeof text, forms[i], KEY_A_HEX);
		write_file(d->key, text, 0600);
		memset(key, 0, sizeof key);
		assert_int_equal(corral_key_load(d->key, key, &err), 0);
		assert_memory_equal(key, KEY_A, sizeof key);
	}
	/* upper-case hex is the same key */
	char upper[80];
	for (size_t i = 0; i < 64; i++)
		upper[i] = (char)(KEY_A_HEX[i] >= 'a' ? KEY_A_HEX[i] - 32 : KEY_A_HEX[i]);
	upper[64] = '\n';
	upper[65] = '\0';
	write_file(d->key, upper, 0600);
	assert_int_equal(corral_key_load(d->key, key, NULL), 0);
	assert_memory_equal(key, KEY_A, sizeof key);
	/* owner-only modes narrower than 0600 are fine */
	write_file(d->key, KEY_A_HEX, 0400);
	assert_int_equal(corral_key_load(d->key, key, NULL), 0);
}

static void test_key_load_loose_mode(void **state)
{
	struct dir *d = *state;
	static const mode_t modes[] = {0640, 0604, 0660, 0644, 0606, 0610, 0601, 0620, 0602, 0777};
	char text[80];
	snprintf(text, sizeof text, "%s\n", KEY_A_HEX);
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		print_message("%03o\n", (unsigned)modes[i]);
		write_file(d->key, text, modes[i]);
		unsigned char key[CORRAL_KEY_BYTES];
		memset(key, 0x5a, sizeof key);
		corral_error_t err = {0};
		assert_int_equal(corral_key_load(d->key, key, &err), -EACCES);
		assert_int_equal(err.code, EACCES);
		assert_non_null(strstr(err.text, "chmod 600"));
		char m[8];
		snprintf(m, sizeof m, "%03o", (unsigned)modes[i]);
		assert_non_null(strstr(err.text, m));
		/* the key is not handed out */
		for (size_t j = 0; j < sizeof key; j++)
			assert_int_equal(key[j], 0x5a);
		assert_int_equal(corral_key_load(d->key, key, NULL), -EACCES);
	}
}

static void test_key_load_missing(void **state)
{
	struct dir *d = *state;
	unsigned char key[CORRAL_KEY_BYTES];
	corral_error_t err = {0};
	assert_int_equal(corral_key_load(d->key, key, &err), -ENOENT);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.text, d->key));
	assert_int_equal(corral_key_load(d->key, key, NULL), -ENOENT);
}

static void test_key_load_not_regular(void **state)
{
	struct dir *d = *state;
	unsigned char key[CORRAL_KEY_BYTES];
	corral_error_t err = {0};
	/* a directory */
	assert_int_equal(mkdir(d->key, 0700), 0);
	assert_true(corral_key_load(d->key, key, &err) < 0);
	assert_int_equal(rmdir(d->key), 0);
	/* a symbolic link is not followed */
	char *real = xasprintf("%s/real.key", d->path);
	write_file(real, KEY_A_HEX, 0600);
	assert_int_equal(symlink(real, d->key), 0);
	assert_true(corral_key_load(d->key, key, &err) < 0);
	free(real);
}

static void test_key_load_malformed(void **state)
{
	struct dir *d = *state;
	char short_key[80], long_key[80], bad_char[80], inner_space[80], lead_space[80];
	snprintf(short_key, sizeof short_key, "%.62s\n", KEY_A_HEX);
	snprintf(long_key, sizeof long_key, "%s00\n", KEY_A_HEX);
	snprintf(bad_char, sizeof bad_char, "%s\n", KEY_A_HEX);
	bad_char[10] = 'g';
	snprintf(inner_space, sizeof inner_space, "%.32s %.31s\n", KEY_A_HEX, KEY_A_HEX + 32);
	snprintf(lead_space, sizeof lead_space, " %.63s\n", KEY_A_HEX);
	char huge[300];
	memset(huge, 'a', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	const char *cases[] = {
	    "",		"\n",	  short_key,
	    long_key,	bad_char, inner_space,
	    lead_space, huge,	  "not a key at all\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		print_message("case %zu\n", i);
		write_file(d->key, cases[i], 0600);
		unsigned char key[CORRAL_KEY_BYTES];
		corral_error_t err = {0};
		assert_int_equal(corral_key_load(d->key, key, &err), -EINVAL);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.text, "malformed"));
	}
}

/* ---- nonces ------------------------------------------------------------- */

static void test_nonce(void **state)
{
	enum { N = 200 };
	char(*n)[CORRAL_HEX_LEN] = xcalloc(N, CORRAL_HEX_LEN);
	for (int i = 0; i < N; i++) {
		memset(n[i], 'X', CORRAL_HEX_LEN);
		corral_auth_nonce(n[i]);
		assert_int_equal(strlen(n[i]), 64);
		assert_true(is_lower_hex(n[i], 64));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n[i], n[j]);
	}
	free(n);
}

/* ---- mac / verify ------------------------------------------------------- */

static void test_mac_known_answer(void **state)
{
	/* HMAC-SHA256(key, "corral-client\nS\nC") with KEY_A, computed with
	 * python: hmac.new(bytes.fromhex(KEY_A_HEX),
	 *                  b"corral-client\nS\nC", hashlib.sha256).hexdigest() */
	char mac[CORRAL_HEX_LEN];
	corral_auth_mac(KEY_A, CORRAL_AUTH_CLIENT, "S", "C", mac);
	assert_int_equal(strlen(mac), 64);
	assert_true(is_lower_hex(mac, 64));
	assert_string_equal(mac,
			    "880370cb9bd5398d11f376df08e284336414b2a93975a64d0ae13daf14c178e9");
	/* deterministic */
	char again[CORRAL_HEX_LEN];
	corral_auth_mac(KEY_A, CORRAL_AUTH_CLIENT, "S", "C", again);
	assert_string_equal(mac, again);
}

static void test_mac_verify(void **state)
{
	unsigned char other[CORRAL_KEY_BYTES];
	memcpy(other, KEY_A, sizeof other);
	other[31] ^= 0x01;
	char s[CORRAL_HEX_LEN], c[CORRAL_HEX_LEN], mac[CORRAL_HEX_LEN];
	corral_auth_nonce(s);
	corral_auth_nonce(c);
	corral_auth_mac(KEY_A, CORRAL_AUTH_CLIENT, s, c, mac);

	/* the right key, label and nonces */
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, mac), 0);
	/* upper-case hex of the same MAC is the same MAC */
	char upper[CORRAL_HEX_LEN];
	for (size_t i = 0; i < sizeof upper; i++)
		upper[i] = (char)(mac[i] >= 'a' ? mac[i] - 32 : mac[i]);
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, upper), 0);

	/* wrong key */
	assert_int_equal(corral_auth_verify(other, CORRAL_AUTH_CLIENT, s, c, mac), -EACCES);
	/* wrong label: a client proof is not a server proof */
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_SERVER, s, c, mac), -EACCES);
	/* wrong or swapped nonces */
	char s2[CORRAL_HEX_LEN];
	corral_auth_nonce(s2);
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s2, c, mac), -EACCES);
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, c, s, mac), -EACCES);
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, "", mac), -EACCES);
	/* the "\n" separators keep fields apart: ("ab","c") is not ("a","bc") */
	char m1[CORRAL_HEX_LEN], m2[CORRAL_HEX_LEN];
	corral_auth_mac(KEY_A, CORRAL_AUTH_CLIENT, "ab", "c", m1);
	corral_auth_mac(KEY_A, CORRAL_AUTH_CLIENT, "a", "bc", m2);
	assert_string_not_equal(m1, m2);
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, "a", "bc", m1), -EACCES);

	/* truncated, extended, flipped, garbage, empty, NULL */
	char t[CORRAL_HEX_LEN + 2];
	memcpy(t, mac, 63);
	t[63] = '\0';
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, t), -EACCES);
	memcpy(t, mac, 64);
	t[64] = '0';
	t[65] = '\0';
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, t), -EACCES);
	memcpy(t, mac, 65);
	t[0] = t[0] == '0' ? '1' : '0';
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, t), -EACCES);
	memcpy(t, mac, 65);
	t[40] = 'z';
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, t), -EACCES);
	memcpy(t, mac, 65);
	t[0] = ' ';
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, t), -EACCES);
	char garbage[CORRAL_HEX_LEN];
	memset(garbage, 'q', 64);
	garbage[64] = '\0';
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, garbage), -EACCES);
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, ""), -EACCES);
	assert_int_equal(corral_auth_verify(KEY_A, CORRAL_AUTH_CLIENT, s, c, NULL), -EACCES);
}

/* The whole handshake as client and server run it, with a key from a
 * file on each side. */
static void test_handshake(void **state)
{
	struct dir *d = *state;
	assert_int_equal(corral_key_create(d->key, NULL), 0);
	unsigned char skey[CORRAL_KEY_BYTES], ckey[CORRAL_KEY_BYTES];
	assert_int_equal(corral_key_load(d->key, skey, NULL), 0);
	assert_int_equal(corral_key_load(d->key, ckey, NULL), 0);

	char S[CORRAL_HEX_LEN], C[CORRAL_HEX_LEN], cmac[CORRAL_HEX_LEN], smac[CORRAL_HEX_LEN];
	corral_auth_nonce(S); /* server hello */
	corral_auth_nonce(C); /* client */
	corral_auth_mac(ckey, CORRAL_AUTH_CLIENT, S, C, cmac);
	assert_int_equal(corral_auth_verify(skey, CORRAL_AUTH_CLIENT, S, C, cmac), 0);
	corral_auth_mac(skey, CORRAL_AUTH_SERVER, S, C, smac);
	assert_int_equal(corral_auth_verify(ckey, CORRAL_AUTH_SERVER, S, C, smac), 0);
	/* the server's answer is not the client's proof replayed */
	assert_string_not_equal(cmac, smac);
	assert_int_equal(corral_auth_verify(ckey, CORRAL_AUTH_SERVER, S, C, cmac), -EACCES);
	/* a recorded proof fails against a fresh server nonce */
	char S2[CORRAL_HEX_LEN];
	corral_auth_nonce(S2);
	assert_int_equal(corral_auth_verify(skey, CORRAL_AUTH_CLIENT, S2, C, cmac), -EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_key_create, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_key_create_random, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_key_load_ok, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_key_load_loose_mode, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_key_load_missing, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_key_load_not_regular, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_key_load_malformed, setup_dir, teardown_dir),
	    cmocka_unit_test(test_nonce),
	    cmocka_unit_test(test_mac_known_answer),
	    cmocka_unit_test(test_mac_verify),
	    cmocka_unit_test_setup_teardown(test_handshake, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
