/* auth.c - see auth.h. */
#include "src/proto/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void init_sodium(void)
{
	static int done;
	if (!done) {
		if (sodium_init() < 0) {
			fputs("libsodium failed to initialise\n", stderr);
			_exit(70);
		}
		done = 1;
	}
}

int corral_key_load(const char *path, unsigned char key[CORRAL_KEY_BYTES], corral_error_t *err)
{
	struct stat sb;
	char text[128];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return corral_errorf(err, errno == ENOENT ? ENOENT : EACCES,
				     "cannot open cluster key %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return corral_errorf(err, EINVAL, "cluster key %s is not a regular file", path);
	}
	if (sb.st_uid != geteuid() && sb.st_uid != 0) {
		close(fd);
		return corral_errorf(err, EACCES,
				     "cluster key %s belongs to uid %u: it must belong to this "
				     "user (uid %u) or root",
				     path, (unsigned)sb.st_uid, (unsigned)geteuid());
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return corral_errorf(err, EACCES,
				     "cluster key %s has mode %03o: it must not be accessible to "
				     "group or others (chmod 600 %s)",
				     path, (unsigned)(sb.st_mode & 0777), path);
	}
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n < 0)
		return corral_errorf(err, EIO, "cannot read cluster key %s: %s", path,
				     strerror(errno));
	text[n] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		text[--n] = '\0';
	size_t bin_len = 0;
	if (n != 2 * CORRAL_KEY_BYTES ||
	    sodium_hex2bin(key, CORRAL_KEY_BYTES, text, (size_t)n, NULL, &bin_len, NULL) != 0 ||
	    bin_len != CORRAL_KEY_BYTES)
		return corral_errorf(err, EINVAL,
				     "cluster key %s is malformed: expected 64 hex digits", path);
	return 0;
}

int corral_key_create(const char *path, corral_error_t *err)
{
	unsigned char key[CORRAL_KEY_BYTES];
	char hex[CORRAL_HEX_LEN];
	init_sodium();
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return corral_errorf(err, errno, "cannot create cluster key %s: %s", path,
				     strerror(errno));
	randombytes_buf(key, sizeof key);
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	hex[64] = '\n';
	int rc = 0;
	if (write(fd, hex, 65) != 65 || fsync(fd) < 0)
		rc = corral_errorf(err, EIO, "cannot write cluster key %s: %s", path,
				   strerror(errno));
	close(fd);
	sodium_memzero(key, sizeof key);
	if (rc < 0)
		unlink(path);
	return rc;
}

void corral_auth_nonce(char hex[CORRAL_HEX_LEN])
{
	unsigned char n[32];
	init_sodium();
	randombytes_buf(n, sizeof n);
	sodium_bin2hex(hex, CORRAL_HEX_LEN, n, sizeof n);
}

static void mac_bin(const unsigned char key[CORRAL_KEY_BYTES], const char *label, const char *a,
		    const char *b, unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	init_sodium();
	crypto_auth_hmacsha256_init(&st, key, CORRAL_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)a, strlen(a));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)b, strlen(b));
	crypto_auth_hmacsha256_final(&st, out);
}

void corral_auth_mac(const unsigned char key[CORRAL_KEY_BYTES], const char *label, const char *a,
		     const char *b, char hex[CORRAL_HEX_LEN])
{
	unsigned char m[crypto_auth_hmacsha256_BYTES];
	mac_bin(key, label, a, b, m);
	sodium_bin2hex(hex, CORRAL_HEX_LEN, m, sizeof m);
}

int corral_auth_verify(const unsigned char key[CORRAL_KEY_BYTES], const char *label, const char *a,
		       const char *b, const char *mac_hex)
{
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t len = 0;
	if (!mac_hex || strlen(mac_hex) != 2 * sizeof got ||
	    sodium_hex2bin(got, sizeof got, mac_hex, strlen(mac_hex), NULL, &len, NULL) != 0 ||
	    len != sizeof got)
		return -EACCES;
	mac_bin(key, label, a, b, want);
	return sodium_memcmp(want, got, sizeof got) == 0 ? 0 : -EACCES;
}
