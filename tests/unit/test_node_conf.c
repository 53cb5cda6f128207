/* test_node_conf.c - corral-node options, config file, /proc/meminfo and
 * the vnode split (src/node/conf.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/node/conf.h"
#include "src/link/link.h"

static void test_set_basic(void **state)
{
	(void)state;
	struct node_conf c;
	corral_error_t err = {0};
	conf_init(&c);
	assert_int_equal(c.nvnodes, 1);
	assert_int_equal(c.ncpus, -1);
	assert_int_equal(conf_set(&c, "ncpus", "8", &err), 0);
	assert_int_equal(c.ncpus, 8);
	assert_int_equal(conf_set(&c, "mem", "16gb", &err), 0);
	assert_true(c.mem == 16ULL << 30);
	assert_int_equal(conf_set(&c, "vnodes", "1000", &err), 0);
	assert_int_equal(c.nvnodes, 1000);
	assert_int_equal(conf_set(&c, "exec", "sim", &err), 0);
	assert_int_equal(c.exec, EXEC_SIM);
	assert_int_equal(conf_set(&c, "debug", "", &err), 0);
	assert_true(c.debug);
	assert_int_equal(conf_set(&c, "daemon", "false", &err), 0);
	assert_false(c.daemon);
	assert_int_equal(conf_set(&c, "name", "n-01", &err), 0);
	assert_string_equal(c.name, "n-01");
	assert_int_equal(conf_set(&c, "attr", "features=ssd,ib", &err), 0);
	assert_string_equal(kv_get(&c.attrs, "features"), "ssd,ib");
	assert_int_equal(conf_set(&c, "resource", "scratch=100gb", &err), 0);
	assert_string_equal(kv_get(&c.resources, "scratch"), "100gb");
	/* built-in names go to their own options */
	assert_int_equal(conf_set(&c, "resource", "ngpus=2", &err), 0);
	assert_int_equal(c.ngpus, 2);
	assert_null(kv_get(&c.resources, "ngpus"));
	conf_free(&c);
}

static void test_set_errors(void **state)
{
	(void)state;
	struct node_conf c;
	corral_error_t err = {0};
	conf_init(&c);
	assert_int_equal(conf_set(&c, "ncpus", "x", &err), -EINVAL);
	assert_non_null(strstr(err.text, "ncpus"));
	assert_int_equal(c.ncpus, -1);
	assert_int_equal(conf_set(&c, "vnodes", "0", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "mem", "lots", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "exec", "fake", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "name", "bad name", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "name", "a/b", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "attr", "noequals", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "attr", "=x", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "attr", "x=", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "resource", "a b=1", &err), -EINVAL);
	assert_int_equal(conf_set(&c, "nosuch", "1", &err), -EINVAL);
	assert_non_null(strstr(err.text, "unknown option"));
	assert_int_equal(conf_set(&c, "debug", "maybe", &err), -EINVAL);
	conf_free(&c);
}

static void test_server(void **state)
{
	(void)state;
	char *host = NULL;
	int port = -1;
	corral_error_t err = {0};
	assert_int_equal(conf_parse_server("head:15001", &host, &port, &err), 0);
	assert_string_equal(host, "head");
	assert_int_equal(port, 15001);
	free(host);
	assert_int_equal(conf_parse_server("head", &host, &port, &err), 0);
	assert_string_equal(host, "head");
	assert_int_equal(port, 0);
	free(host);
	assert_int_equal(conf_parse_server("[::1]:99", &host, &port, &err), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 99);
	free(host);
	assert_int_equal(conf_parse_server("::1", &host, &port, &err), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	free(host);
	assert_int_equal(conf_parse_server(":4000", &host, &port, &err), 0);
	assert_null(host);
	assert_int_equal(port, 4000);
	assert_int_equal(conf_parse_server("h:0", &host, &port, &err), -EINVAL);
	assert_int_equal(conf_parse_server("h:x", &host, &port, &err), -EINVAL);
	assert_int_equal(conf_parse_server("h:70000", &host, &port, &err), -EINVAL);
	assert_int_equal(conf_parse_server("", &host, &port, &err), -EINVAL);
	assert_int_equal(conf_parse_server("[::1", &host, &port, &err), -EINVAL);
}

static void test_config_text(void **state)
{
	(void)state;
	struct node_conf c;
	corral_error_t err = {0};
	conf_init(&c);
	const char *text = "# a node\n"
			   "\n"
			   "name = big   # trailing comment\n"
			   "  ncpus=4\n"
			   "mem = 2gb\n"
			   "attr = arch=linux\n"
			   "attr = features=gpu\n"
			   "resource = scratch=1tb\n"
			   "server = head:15002\n"
			   "exec = sim\n"
			   "debug = yes\n";
	assert_int_equal(conf_load_text(&c, text, "t.conf", &err), 0);
	assert_string_equal(c.name, "big");
	assert_int_equal(c.ncpus, 4);
	assert_true(c.mem == 2ULL << 30);
	assert_string_equal(kv_get(&c.attrs, "arch"), "linux");
	assert_string_equal(kv_get(&c.attrs, "features"), "gpu");
	assert_string_equal(kv_get(&c.resources, "scratch"), "1tb");
	assert_string_equal(c.server_host, "head");
	assert_int_equal(c.server_port, 15002);
	assert_int_equal(c.exec, EXEC_SIM);
	assert_true(c.debug);
	/* the command line applied afterwards wins, name by name */
	assert_int_equal(conf_set(&c, "attr", "arch=x86_64", &err), 0);
	assert_string_equal(kv_get(&c.attrs, "arch"), "x86_64");
	assert_string_equal(kv_get(&c.attrs, "features"), "gpu");
	conf_free(&c);

	conf_init(&c);
	assert_int_equal(conf_load_text(&c, "ncpus = 2\n\nbogus line\n", "f", &err), -EINVAL);
	assert_string_equal(err.text, "f:3: expected 'key = value'");
	assert_int_equal(c.ncpus, 2);
	assert_int_equal(conf_load_text(&c, "ncpus = two\n", "f", &err), -EINVAL);
	assert_true(strncmp(err.text, "f:1: ncpus", 10) == 0);
	assert_int_equal(conf_load_text(&c, "config = other\n", "f", &err), -EINVAL);
	conf_free(&c);
}

static void test_config_file(void **state)
{
	(void)state;
	char path[] = "/tmp/test_node_conf.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "vnodes = 3\nname = x\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct node_conf c;
	corral_error_t err = {0};
	conf_init(&c);
	assert_int_equal(conf_load_file(&c, path, &err), 0);
	assert_int_equal(c.nvnodes, 3);
	unlink(path);
	assert_true(conf_load_file(&c, path, &err) < 0);
	assert_non_null(strstr(err.text, path));
	conf_free(&c);
}

static void test_meminfo(void **state)
{
	(void)state;
	uint64_t b = 0;
	const char *mi = "MemTotal:       16310612 kB\n"
			 "MemFree:        15000000 kB\n";
	assert_int_equal(meminfo_parse(mi, &b), 0);
	assert_true(b == 16310612ULL * 1024);
	const char *later = "Foo: 1 kB\nMemTotal: 2048 kB\n";
	assert_int_equal(meminfo_parse(later, &b), 0);
	assert_true(b == 2048ULL * 1024);
	assert_int_equal(meminfo_parse("MemFree: 1 kB\n", &b), -EINVAL);
	assert_int_equal(meminfo_parse("MemTotal: lots\n", &b), -EINVAL);
	assert_int_equal(meminfo_parse("", &b), -EINVAL);
	assert_true(host_meminfo() > 0);
}

static void test_vnodes(void **state)
{
	(void)state;
	struct node_conf c;
	struct vnode_spec *v = NULL;
	corral_error_t err = {0};
	conf_init(&c);
	/* one vnode: the host name, all of the host */
	assert_int_equal(conf_vnodes(&c, "vm", 8, 16ULL << 30, &v, &err), 1);
	assert_string_equal(v[0].name, "vm");
	assert_int_equal(v[0].ncpus, 8);
	assert_true(v[0].mem == 16ULL << 30);
	assert_int_equal(v[0].ngpus, 0);
	free(v);
	/* real: split evenly, remainder to the first */
	conf_set(&c, "vnodes", "3", &err);
	conf_set(&c, "name", "n", &err);
	conf_set(&c, "ngpus", "4", &err);
	assert_int_equal(conf_vnodes(&c, "vm", 8, 3ULL << 30, &v, &err), 3);
	assert_string_equal(v[0].name, "n0");
	assert_string_equal(v[2].name, "n2");
	assert_int_equal(v[0].ncpus, 3);
	assert_int_equal(v[1].ncpus, 3);
	assert_int_equal(v[2].ncpus, 2);
	assert_int_equal(v[0].ngpus, 2);
	assert_int_equal(v[1].ngpus, 1);
	assert_int_equal(v[2].ngpus, 1);
	assert_true(v[0].mem == 1ULL << 30);
	assert_true(v[0].mem % 1024 == 0);
	free(v);
	/* sim: per vnode */
	conf_set(&c, "exec", "sim", &err);
	conf_set(&c, "vnodes", "1000", &err);
	conf_set(&c, "ncpus", "8", &err);
	conf_set(&c, "mem", "4gb", &err);
	assert_int_equal(conf_vnodes(&c, "vm", 2, 1ULL << 30, &v, &err), 1000);
	assert_string_equal(v[999].name, "n999");
	assert_int_equal(v[999].ncpus, 8);
	assert_true(v[999].mem == 4ULL << 30);
	free(v);
	conf_free(&c);
	/* a host name that is no vnode name */
	conf_init(&c);
	assert_int_equal(conf_vnodes(&c, "bad host", 1, 1, &v, &err), -EINVAL);
	conf_free(&c);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(link_backoff_ms(0, 0.0), 250);
	assert_int_equal(link_backoff_ms(0, 0.999999), 499);
	assert_int_equal(link_backoff_ms(1, 0.0), 500);
	assert_int_equal(link_backoff_ms(3, 0.0), 2000);
	/* capped at 30 s whatever the attempt */
	for (unsigned a = 0; a < 2000; a += 7) {
		unsigned ms = link_backoff_ms(a, 0.999999);
		assert_true(ms <= 30000);
		assert_true(link_backoff_ms(a, 0.0) >= 250);
	}
	assert_int_equal(link_backoff_ms(100, 0.0), 15000);
	assert_true(link_backoff_ms(100, 0.999999) >= 29999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_basic),	cmocka_unit_test(test_set_errors),
	    cmocka_unit_test(test_server),	cmocka_unit_test(test_config_text),
	    cmocka_unit_test(test_config_file), cmocka_unit_test(test_meminfo),
	    cmocka_unit_test(test_vnodes),	cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
