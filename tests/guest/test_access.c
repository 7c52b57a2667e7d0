// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Who may run chains: the administrator's switches (disabled, group),
 * seccomp-filtered tasks refused by default, and the tracepoints that
 * show what a chain ran.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "guest.h"

#define PARAMS "/sys/module/syschain/parameters/"

static void set_param(const char *name, const char *value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(value, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Run a one-op chain in a child with @setup applied; its ioctl result. */
static int child_run(void (*setup)(void))
{
	int p[2], status, ret = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct g_chain c;

		close(p[0]);
		if (setup)
			setup();
		g_init(&c);
		g_op0(&c, __NR_getppid);
		g_prepare(&c, 0);
		ret = ioctl(g_dev(), SYSCHAIN_RUN, &c.run) < 0 ? -errno : 0;
		if (write(p[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &ret, sizeof(ret)), sizeof(ret));
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return ret;
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(3);
}

static void test_disabled_switch(void **state)
{
	struct syschain_probe p = { .size = sizeof(p) };

	(void)state;
	g_dev();	/* opened before the switch: it applies to open files too */
	assert_int_equal(child_run(NULL), 0);
	assert_int_equal(child_run(become_nobody), 0);

	set_param("disabled", "2");
	assert_int_equal(child_run(NULL), -EPERM);
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), -EPERM);

	/* 1: root (CAP_SYS_ADMIN) and the group only */
	set_param("disabled", "1");
	set_param("group", "-1");
	assert_int_equal(child_run(NULL), 0);
	assert_int_equal(child_run(become_nobody), -EPERM);
	set_param("group", "65534");
	assert_int_equal(child_run(become_nobody), 0);

	set_param("disabled", "0");
	set_param("group", "-1");
	assert_int_equal(child_run(become_nobody), 0);
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
}

/* A filter that makes openat fail with EACCES and allows the rest. */
static void install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		_exit(4);
}

static const char *const forbidden = "/tmp/sc-seccomp-created";

static void filtered_openat(void)
{
	struct g_chain c;
	int ret;

	install_filter();
	/* the filter works for the plain syscall */
	if (open(forbidden, O_WRONLY | O_CREAT, 0600) >= 0 || errno != EACCES)
		_exit(5);
	g_init(&c);
	g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)forbidden,
	      O_WRONLY | O_CREAT, 0600);
	ret = g_run(&c, 0);
	/* report through the exit status: 0 refused, 1 ran */
	_exit(ret == -EPERM ? 0 : ret == 0 ? 1 : 6);
}

static int run_filtered(void)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		filtered_openat();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_seccomp(void **state)
{
	(void)state;
	unlink(forbidden);
	/* default: a filtered task gets EPERM, and nothing is opened */
	assert_int_equal(run_filtered(), 0);
	assert_int_equal(access(forbidden, F_OK), -1);

	/* the administrator's relaxation: the filter no longer applies */
	set_param("allow_seccomp", "Y");
	assert_int_equal(run_filtered(), 1);
	assert_int_equal(access(forbidden, F_OK), 0);
	set_param("allow_seccomp", "N");
	unlink(forbidden);
}

static int count_lines(const char *path, const char *needle)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(s, f);
	assert_int_equal(fclose(f), 0);
}

static void test_tracepoints(void **state)
{
	const char *t = "/sys/kernel/tracing";
	char path[256], needle[64];
	struct g_chain c;

	(void)state;
	if (access("/sys/kernel/tracing/trace", F_OK))
		assert_int_equal(mount("nodev", t, "tracefs", 0, NULL), 0);
	write_file("/sys/kernel/tracing/trace", "");
	write_file("/sys/kernel/tracing/events/syschain/enable", "1");

	g_init(&c);
	g_op0(&c, __NR_getppid);
	g_opn(&c, __NR_lseek, 12345, 0, 0);
	g_op0(&c, __NR_gettid);
	assert_int_equal(g_run(&c, 0), 0);
	write_file("/sys/kernel/tracing/events/syschain/enable", "0");

	snprintf(path, sizeof(path), "%s/trace", t);
	assert_int_equal(count_lines(path, "syschain_op:"), 3);
	assert_int_equal(count_lines(path, "syschain_run:"), 1);
	snprintf(needle, sizeof(needle), "op=1 nr=%d args=(0x3039,", __NR_lseek);
	assert_int_equal(count_lines(path, needle), 1);
	assert_int_equal(count_lines(path, "ret=-9"), 1);
	assert_int_equal(count_lines(path, "nr_ops=3 steps=3 status=0"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled_switch),
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_tracepoints),
	};

	return cmocka_run_group_tests_name("syschain-access", tests, NULL, NULL);
}
