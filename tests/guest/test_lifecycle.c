// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The module's life cycle: a task blocked in a chain dies promptly on
 * SIGKILL; the module cannot be removed while a chain runs (or any
 * descriptor of the device is open), and unloads and reloads cleanly
 * afterwards, many times over, answering the probe after every load.
 *
 * This test unloads the module. It always leaves it loaded again (the
 * group teardown reloads it if a test failed midway), but it should still
 * run last. It never opens the device through g_dev(), whose descriptor
 * would pin the module.
 *
 * Environment: LIFECYCLE_CYCLES (load/unload cycles, default below),
 * SYSCHAIN_KO (the module file; default
 * /lib/modules/$(uname -r)/updates/dkms/syschain.ko).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "guest.h"

/*
 * 1000 cycles; one takes ~80 ms (6.1) to ~100 ms (6.12) under TCG, so
 * 80-100 s. The budget only keeps a broken (very slow) run from eating
 * the harness's timeout; stopping early fails the test.
 */
#define DEFAULT_CYCLES	1000
#define CYCLE_BUDGET_S	240.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *ko_path(void)
{
	static char path[512];
	const char *env = getenv("SYSCHAIN_KO");
	struct utsname u;

	if (env && *env)
		return env;
	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/updates/dkms/syschain.ko",
		 u.release);
	return path;
}

static int mod_loaded(void)
{
	return access("/sys/module/syschain", F_OK) == 0;
}

static int mod_refcnt(void)
{
	FILE *f = fopen("/sys/module/syschain/refcnt", "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* finit_module(), then wait (up to 2 s) for the device node. */
static int mod_load(void)
{
	int fd = open(ko_path(), O_RDONLY | O_CLOEXEC), ret, i;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	for (i = 0; i < 2000 && access("/dev/syschain", F_OK); i++)
		usleep(1000);
	return access("/dev/syschain", F_OK) ? -ENODEV : 0;
}

static int mod_unload(void)
{
	return syscall(__NR_delete_module, "syschain", O_NONBLOCK) ? -errno : 0;
}

static int dev_open(void)
{
	int fd = open("/dev/syschain", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail_msg("cannot open /dev/syschain: %s", strerror(errno));
	return fd;
}

/* probe, then a one-op chain, on a fresh descriptor */
static void check_device(uint32_t want_nr_syscalls)
{
	struct syschain_probe p = { .size = sizeof(p) };
	struct syschain_op op = { .nr = __NR_getppid };
	struct syschain_result res = { 0 };
	struct syschain_run r = {
		.size = sizeof(r), .nr_ops = 1, .op_size = sizeof(op),
		.cond_size = sizeof(struct syschain_cond),
		.ops_uptr = (uintptr_t)&op, .results_uptr = (uintptr_t)&res,
	};
	int fd = dev_open();

	assert_int_equal(ioctl(fd, SYSCHAIN_PROBE, &p), 0);
	assert_int_equal(p.abi_version, SYSCHAIN_ABI_VERSION);
	if (want_nr_syscalls)
		assert_int_equal(p.nr_syscalls, want_nr_syscalls);
	assert_int_equal(ioctl(fd, SYSCHAIN_RUN, &r), 0);
	assert_int_equal(r.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(res.ret, getppid());
	close(fd);
}

static uint32_t probe_nr_syscalls(uint32_t *list, uint32_t cap)
{
	struct syschain_probe p = { .size = sizeof(p), .nr_syscalls = cap,
				    .syscalls_uptr = (uintptr_t)list };
	int fd = dev_open();

	assert_int_equal(ioctl(fd, SYSCHAIN_PROBE, &p), 0);
	close(fd);
	return p.nr_syscalls;
}

static int supported(uint32_t nr)
{
	uint32_t list[512];
	uint32_t n = probe_nr_syscalls(list, 512), i;

	for (i = 0; i < n && i < 512; i++)
		if (list[i] == nr)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* a child blocked inside a chain */

enum block_kind { BLOCK_PIPE, BLOCK_LOOP, BLOCK_SLEEP };

static pid_t spawn_blocked(enum block_kind kind)
{
	int ready[2];
	pid_t pid;
	char b;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		static char buf[65536];
		static struct timespec long_ts = { 100000, 0 };
		struct g_chain c;
		int p[2], zero;

		close(ready[0]);
		if (pipe(p))
			_exit(2);
		zero = open("/dev/zero", O_RDONLY);
		g_init(&c);
		switch (kind) {
		case BLOCK_PIPE:	/* nobody ever writes */
			g_opn(&c, __NR_read, p[0], (uintptr_t)buf, 1);
			break;
		case BLOCK_LOOP:	/* the module's whole step cap */
			g_opn(&c, __NR_read, zero, (uintptr_t)buf, sizeof(buf));
			g_cond(&c, 0, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 0);
			break;
		default:
			g_opn(&c, __NR_nanosleep, (uintptr_t)&long_ts, 0);
			break;
		}
		g_dev();
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		g_run(&c, 0);
		_exit(4);	/* the chain should never end */
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &b, 1), 1);
	close(ready[0]);
	return pid;
}

/* Wait (up to 5 s) until @pid sits in the ioctl and sleeps or runs in it. */
static void wait_in_ioctl(pid_t pid, int must_sleep)
{
	char path[64], buf[256];
	int i;

	for (i = 0; i < 500; i++) {
		FILE *f;
		long nr = -1;
		char state = 0;

		snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%ld", &nr) != 1)
				nr = -1;
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (f) {
			if (fgets(buf, sizeof(buf), f)) {
				char *s = strrchr(buf, ')');

				if (s && s[1])
					state = s[2];
			}
			fclose(f);
		}
		if (nr == __NR_ioctl && (!must_sleep || state == 'S'))
			return;
		/* running (not in a syscall): /proc says "running" */
		if (!must_sleep && i > 20 && state == 'R')
			return;
		usleep(10000);
	}
	fail_msg("child %d never blocked in the ioctl", (int)pid);
}

static double kill_and_reap(pid_t pid)
{
	double t0 = now();
	int status;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	return now() - t0;
}

static void test_sigkill_prompt(void **state)
{
	static const char *const names[] = { "blocked in a pipe read",
					     "looping (read of /dev/zero)",
					     "in nanosleep" };
	int kinds = supported(__NR_nanosleep) ? 3 : 2, k;

	(void)state;
	for (k = 0; k < kinds; k++) {
		pid_t pid = spawn_blocked((enum block_kind)k);
		double dt;

		wait_in_ioctl(pid, k != BLOCK_LOOP);
		usleep(200000);
		dt = kill_and_reap(pid);
		printf("lifecycle: SIGKILL of a chain %s: reaped in %.3f s\n",
		       names[k], dt);
		assert_true(dt < 2.0);
	}
	if (kinds < 3)
		printf("lifecycle: nanosleep is not an op here, sleep variant skipped\n");
}

static void test_refcnt_follows_descriptors(void **state)
{
	int base = mod_refcnt(), a, b;

	(void)state;
	assert_true(base >= 0);
	a = dev_open();
	b = dev_open();
	assert_int_equal(mod_refcnt(), base + 2);
	check_device(0);
	assert_int_equal(mod_refcnt(), base + 2);
	close(a);
	close(b);
	assert_int_equal(mod_refcnt(), base);
	printf("lifecycle: refcnt %d with no descriptor open\n", base);
}

static void test_rmmod_while_chain_blocked(void **state)
{
	uint32_t list[512], nr = probe_nr_syscalls(list, 512);
	pid_t pid;
	double dt;
	int ret;

	(void)state;
	assert_true(mod_loaded());
	pid = spawn_blocked(BLOCK_PIPE);
	wait_in_ioctl(pid, 1);
	assert_true(mod_refcnt() >= 1);

	ret = mod_unload();
	if (ret != -EWOULDBLOCK && ret != -EBUSY)
		fail_msg("delete_module with a chain blocked returned %d (%s)",
			 ret, ret ? strerror(-ret) : "success");
	assert_true(mod_loaded());
	assert_int_equal(access("/dev/syschain", F_OK), 0);
	/* the chain is still blocked, undisturbed */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);

	dt = kill_and_reap(pid);
	printf("lifecycle: delete_module refused with %s while a chain was blocked; child reaped in %.3f s\n",
	       ret == -EBUSY ? "EBUSY" : "EWOULDBLOCK", dt);
	assert_int_equal(mod_refcnt(), 0);
	assert_int_equal(mod_unload(), 0);
	assert_false(mod_loaded());
	assert_int_not_equal(access("/dev/syschain", F_OK), 0);
	assert_int_equal(mod_load(), 0);
	check_device(nr);
}

static void test_load_unload_cycles(void **state)
{
	const char *env = getenv("LIFECYCLE_CYCLES");
	unsigned long n = env && *env ? strtoul(env, NULL, 0) : DEFAULT_CYCLES;
	uint32_t list[512], nr = probe_nr_syscalls(list, 512);
	unsigned long i, busy_retries = 0;
	double t0 = now(), t;
	int ret;

	(void)state;
	printf("lifecycle: %lu load/unload cycles (LIFECYCLE_CYCLES)\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int tries = 0;

		assert_int_equal(mod_refcnt(), 0);
		while ((ret = mod_unload()) == -EWOULDBLOCK && tries++ < 1000) {
			busy_retries++;
			usleep(1000);
		}
		if (ret)
			fail_msg("cycle %lu: delete_module: %s", i, strerror(-ret));
		if (mod_loaded() || !access("/dev/syschain", F_OK))
			fail_msg("cycle %lu: still there after delete_module", i);
		ret = mod_load();
		if (ret)
			fail_msg("cycle %lu: load: %s", i, strerror(-ret));
		check_device(nr);
		if (now() - t0 > CYCLE_BUDGET_S) {
			printf("lifecycle: NOTE: time budget of %.0f s reached after %lu of %lu cycles\n",
			       CYCLE_BUDGET_S, i + 1, n);
			i++;
			break;
		}
	}
	t = now() - t0;
	printf("lifecycle: %lu cycles in %.1f s (%.1f ms per cycle), %lu busy retries\n",
	       i, t, i ? 1000 * t / i : 0.0, busy_retries);
	assert_int_equal(i, n);
	assert_true(mod_loaded());
}

/* Leave the module loaded, whatever happened. */
static int ensure_loaded(void **state)
{
	int ret;

	(void)state;
	if (mod_loaded())
		return 0;
	ret = mod_load();
	printf("lifecycle: module reloaded by the teardown: %s\n",
	       ret ? strerror(-ret) : "ok");
	return ret ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sigkill_prompt, ensure_loaded),
		cmocka_unit_test_teardown(test_refcnt_follows_descriptors,
					  ensure_loaded),
		cmocka_unit_test_teardown(test_rmmod_while_chain_blocked,
					  ensure_loaded),
		cmocka_unit_test_teardown(test_load_unload_cycles, ensure_loaded),
	};
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("lifecycle: module file %s\n", ko_path());
	ret = cmocka_run_group_tests_name("syschain-lifecycle", tests, NULL,
					  ensure_loaded);
	if (!mod_loaded() && mod_load())
		ret = 1;
	return ret;
}
