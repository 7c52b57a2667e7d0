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
#include <linux/landlock.h>
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
	/*
	 * Without record-cmd, enabling the events patches only the module's
	 * static keys, not the scheduler's sched_switch site: under QEMU TCG
	 * a vCPU can run a stale block with the int3 of live patching in
	 * __schedule after the patch ended (seen once on 6.12: "Oops: int3"
	 * in rcu_preempt). The comm column is not asserted.
	 */
	write_file("/sys/kernel/tracing/options/record-cmd", "0");
	write_file("/sys/kernel/tracing/events/syschain/enable", "1");

	g_init(&c);
	g_op0(&c, __NR_getppid);
	g_opn(&c, __NR_lseek, 12345, 0, 0);
	g_op0(&c, __NR_gettid);
	assert_int_equal(g_run(&c, 0), 0);
	write_file("/sys/kernel/tracing/events/syschain/enable", "0");
	write_file("/sys/kernel/tracing/options/record-cmd", "1");

	snprintf(path, sizeof(path), "%s/trace", t);
	assert_int_equal(count_lines(path, "syschain_op:"), 3);
	assert_int_equal(count_lines(path, "syschain_run:"), 1);
	snprintf(needle, sizeof(needle), "op=1 nr=%d args=(0x3039,", __NR_lseek);
	assert_int_equal(count_lines(path, needle), 1);
	assert_int_equal(count_lines(path, "ret=-9"), 1);
	assert_int_equal(count_lines(path, "nr_ops=3 steps=3 status=0"), 1);
}

/*
 * Access checks happen as for the syscalls: an unprivileged caller gets
 * EACCES from the chain exactly where the syscall gives it, and a
 * Landlock ruleset confines the chain as it confines the syscall. Each
 * case runs in a child; the exit status carries the first mismatch.
 */
#define LL_DIR "/tmp/sc-access"

static long chain_or_sys(bool chained, long nr, uint64_t a0, uint64_t a1,
			 uint64_t a2, uint64_t a3)
{
	struct g_chain c;
	long r;

	if (!chained)
		return g_sys(nr, a0, a1, a2, a3, 0, 0);
	g_init(&c);
	g_opn(&c, nr, a0, a1, a2, a3);
	if (g_run(&c, 0) || c.run.status != SYSCHAIN_STATUS_COMPLETED)
		_exit(90);
	r = c.res[0].ret;
	return r;
}

/* Both ways; the result must be @expect each time (fds are closed). */
static int same(int line, long expect, long nr, uint64_t a0, uint64_t a1,
		uint64_t a2, uint64_t a3)
{
	int k;

	for (k = 0; k < 2; k++) {
		long r = chain_or_sys(k == 0, nr, a0, a1, a2, a3);

		if (nr == __NR_openat && r >= 0) {
			close(r);
			r = 0;
		}
		if (nr == __NR_mkdirat && r == 0)
			rmdir((const char *)(uintptr_t)a1);
		if (r != expect) {
			fprintf(stderr, "line %d: %s gave %ld, expected %ld\n", line,
			       k ? "syscall" : "chain", r, expect);
			return 1;
		}
	}
	return 0;
}

#define SAME(expect, nr, a0, a1, a2, a3) \
	do { if (same(__LINE__, expect, nr, (uint64_t)(a0), (uint64_t)(uintptr_t)(a1), \
		      (uint64_t)(uintptr_t)(a2), (uint64_t)(a3))) _exit(__LINE__ % 200 + 1); } while (0)

static void prepare_tree(void)
{
	int fd;

	assert_int_equal(system("rm -rf " LL_DIR), 0);
	assert_int_equal(mkdir(LL_DIR, 0755), 0);
	assert_int_equal(mkdir(LL_DIR "/allowed", 0777), 0);
	assert_int_equal(mkdir(LL_DIR "/denied", 0777), 0);
	assert_int_equal(mkdir(LL_DIR "/private", 0700), 0);
	assert_int_equal(chmod(LL_DIR "/allowed", 0777), 0);
	assert_int_equal(chmod(LL_DIR "/denied", 0777), 0);
	fd = open(LL_DIR "/allowed/f", O_WRONLY | O_CREAT, 0666);
	close(fd);
	fd = open(LL_DIR "/denied/f", O_WRONLY | O_CREAT, 0666);
	close(fd);
	fd = open(LL_DIR "/private/f", O_WRONLY | O_CREAT, 0600);
	close(fd);
	fd = open(LL_DIR "/rootonly", O_WRONLY | O_CREAT, 0600);
	close(fd);
	assert_int_equal(chmod(LL_DIR "/allowed/f", 0666), 0);
	assert_int_equal(chmod(LL_DIR "/denied/f", 0666), 0);
}

static int wait_child(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_unprivileged(void **state)
{
	struct stat st;
	pid_t pid;

	(void)state;
	prepare_tree();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		become_nobody();
		SAME(-EACCES, __NR_openat, AT_FDCWD, LL_DIR "/rootonly", O_RDONLY, 0);
		SAME(0, __NR_openat, AT_FDCWD, LL_DIR "/allowed/f", O_RDWR, 0);
		SAME(-EACCES, __NR_newfstatat, AT_FDCWD, LL_DIR "/private/f", &st, 0);
		SAME(0, __NR_newfstatat, AT_FDCWD, LL_DIR "/private", &st, 0);
		SAME(-EACCES, __NR_mkdirat, AT_FDCWD, LL_DIR "/private/d", 0755, 0);
		SAME(-EACCES, __NR_mkdirat, AT_FDCWD, LL_DIR "/new", 0755, 0);
		SAME(0, __NR_mkdirat, AT_FDCWD, LL_DIR "/allowed/d", 0755, 0);
		_exit(0);
	}
	assert_int_equal(wait_child(pid), 0);
}

static void test_landlock(void **state)
{
	struct landlock_ruleset_attr ra = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE |
				     LANDLOCK_ACCESS_FS_WRITE_FILE |
				     LANDLOCK_ACCESS_FS_READ_DIR |
				     LANDLOCK_ACCESS_FS_MAKE_DIR,
	};
	pid_t pid;

	(void)state;
	prepare_tree();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct landlock_path_beneath_attr pb = {
			.allowed_access = ra.handled_access_fs,
		};
		int rs = syscall(__NR_landlock_create_ruleset, &ra, sizeof(ra), 0);

		if (rs < 0)
			_exit(100);
		pb.parent_fd = open(LL_DIR "/allowed", O_PATH | O_CLOEXEC);
		if (syscall(__NR_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH,
			    &pb, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_landlock_restrict_self, rs, 0))
			_exit(101);
		SAME(0, __NR_openat, AT_FDCWD, LL_DIR "/allowed/f", O_RDWR, 0);
		SAME(-EACCES, __NR_openat, AT_FDCWD, LL_DIR "/denied/f", O_RDONLY, 0);
		SAME(-EACCES, __NR_openat, AT_FDCWD, LL_DIR "/denied/f", O_WRONLY, 0);
		SAME(-EACCES, __NR_openat, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
		SAME(0, __NR_mkdirat, AT_FDCWD, LL_DIR "/allowed/d", 0755, 0);
		SAME(-EACCES, __NR_mkdirat, AT_FDCWD, LL_DIR "/denied/d", 0755, 0);
		_exit(0);
	}
	assert_int_equal(wait_child(pid), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disabled_switch),
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_tracepoints),
		cmocka_unit_test(test_unprivileged),
		cmocka_unit_test(test_landlock),
	};

	return cmocka_run_group_tests_name("syschain-access", tests, NULL, NULL);
}
