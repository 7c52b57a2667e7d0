// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Chains racing with other threads of the caller: descriptors closed or
 * replaced under a running chain, a file position shared by two threads,
 * a buffer unmapped mid-chain, and many chains failing halfway, all
 * without a leaked descriptor (counted exactly in /proc/self/fd).
 *
 * Environment: RACES_CHAINS (chains of the failing-chain test, default
 * 100000), RACES_SECONDS (length of each timed race, default 3).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include "guest.h"

#define AT_FDCWD_U64 ((uint64_t)(int64_t)AT_FDCWD)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double race_seconds(void)
{
	const char *s = getenv("RACES_SECONDS");

	return s && *s ? atof(s) : 3.0;
}

/* A file of @size bytes, byte i = i % 251; returns a read-only fd. */
static int make_file(const char *path, size_t size, int random_bytes)
{
	unsigned char *buf = malloc(size);
	int fd;
	size_t i;

	assert_non_null(buf);
	srand(1);
	for (i = 0; i < size; i++)
		buf[i] = random_bytes ? (unsigned char)rand() : (unsigned char)(i % 251);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* ------------------------------------------------------------------ */
/* (a) a descriptor closed or replaced while chains read from it */

#define A_OPS 16
#define A_LEN 16

static volatile int a_stop;
static int a_target, a_src, a_wonly;
static unsigned long a_swaps;

static void *a_swapper(void *arg)
{
	unsigned long i;

	(void)arg;
	for (i = 0; !a_stop; i++) {
		switch (i % 4) {
		case 0: close(a_target); break;
		case 1: dup2(a_src, a_target); break;
		case 2: dup2(a_wonly, a_target); break;
		default: dup3(a_src, a_target, O_CLOEXEC); break;
		}
	}
	a_swaps = i;
	return NULL;
}

static void test_close_dup2_race(void **state)
{
	static unsigned char bufs[A_OPS][A_LEN];
	unsigned long chains = 0, reads = 0, badf = 0;
	struct g_chain c;
	pthread_t th;
	double t_end;
	int base, k, j;

	(void)state;
	g_dev();
	base = fd_count();
	a_src = make_file("/tmp/races-a", 65536, 0);
	a_wonly = open("/tmp/races-a-w", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(a_wonly >= 0);
	a_target = dup(a_src);
	assert_true(a_target >= 0);

	g_init(&c);
	for (k = 0; k < A_OPS; k++) {
		if (k % 2)
			g_opn(&c, __NR_pread64, a_target, (uintptr_t)bufs[k], A_LEN, 100);
		else
			g_opn(&c, __NR_read, a_target, (uintptr_t)bufs[k], A_LEN);
	}
	a_stop = 0;
	assert_int_equal(pthread_create(&th, NULL, a_swapper, NULL), 0);
	t_end = now() + race_seconds();
	while (now() < t_end) {
		/* the shared position runs to EOF; rewind it now and then */
		if (chains % 256 == 0)
			lseek(a_src, 0, SEEK_SET);
		memset(bufs, 0, sizeof(bufs));
		assert_int_equal(g_run(&c, 0), 0);
		assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
		assert_int_equal(c.run.steps, A_OPS);
		for (k = 0; k < A_OPS; k++) {
			long r = c.res[k].ret;

			assert_int_equal(c.res[k].count, 1);
			if (r == -EBADF) {
				badf++;
				continue;
			}
			if (r < 0 || r > A_LEN || (k % 2 && r != A_LEN))
				fail_msg("op %d (%s) returned %ld", k,
					 k % 2 ? "pread64" : "read", r);
			reads++;
			/* the bytes are the file's: consecutive modulo 251 */
			if (k % 2)
				assert_int_equal(bufs[k][0], 100 % 251);
			for (j = 1; j < r; j++)
				assert_int_equal(bufs[k][j], (bufs[k][j - 1] + 1) % 251);
		}
		chains++;
	}
	a_stop = 1;
	pthread_join(th, NULL);
	printf("races(a): %lu chains, %lu reads, %lu -EBADF, %lu close/dup2 by the other thread\n",
	       chains, reads, badf, a_swaps);
	assert_true(chains > 0);
	close(a_target);
	close(a_src);
	close(a_wonly);
	unlink("/tmp/races-a");
	unlink("/tmp/races-a-w");
	assert_int_equal(fd_count(), base);
}

/* ------------------------------------------------------------------ */
/* (b) two threads share a file position through chains of 1-byte reads */

#define B_SIZE 65536
#define B_OPS 64

struct b_thread {
	int fd;
	int use_chain;		/* 0: plain read(2) */
	unsigned long bytes, calls;
	unsigned long hist[256];
};

static void *b_reader(void *arg)
{
	struct b_thread *t = arg;
	unsigned char buf[B_OPS];
	struct g_chain c;
	int k, eof = 0;

	g_init(&c);
	for (k = 0; k < B_OPS; k++)
		g_opn(&c, __NR_read, t->fd, (uintptr_t)&buf[k], 1);
	while (!eof) {
		t->calls++;
		if (!t->use_chain) {
			ssize_t r = read(t->fd, buf, 1);

			if (r != 1) {
				if (r != 0)
					return (void *)1;
				break;
			}
			t->bytes++;
			t->hist[buf[0]]++;
			continue;
		}
		if (g_run(&c, 0) || c.run.status != SYSCHAIN_STATUS_COMPLETED)
			return (void *)2;
		for (k = 0; k < B_OPS; k++) {
			if (c.res[k].ret == 0) {
				eof = 1;
			} else if (c.res[k].ret == 1) {
				/* once at EOF, never a byte again */
				if (eof)
					return (void *)3;
				t->bytes++;
				t->hist[buf[k]]++;
			} else {
				return (void *)4;
			}
		}
	}
	return NULL;
}

static void shared_position_round(int fd, const unsigned long *hist,
				  int second_uses_chain)
{
	struct b_thread t[2];
	pthread_t th[2];
	void *rv;
	int i, v;

	lseek(fd, 0, SEEK_SET);
	memset(t, 0, sizeof(t));
	for (i = 0; i < 2; i++) {
		t[i].fd = fd;
		t[i].use_chain = i == 0 || second_uses_chain;
		assert_int_equal(pthread_create(&th[i], NULL, b_reader, &t[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], &rv);
		if (rv)
			fail_msg("reader %d failed (%ld)", i, (long)rv);
	}
	printf("races(b): chain vs %s: %lu + %lu bytes in %lu + %lu calls\n",
	       second_uses_chain ? "chain" : "read(2)", t[0].bytes, t[1].bytes,
	       t[0].calls, t[1].calls);
	assert_int_equal(t[0].bytes + t[1].bytes, B_SIZE);
	for (v = 0; v < 256; v++)
		assert_int_equal(t[0].hist[v] + t[1].hist[v], hist[v]);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), B_SIZE);
}

static void test_shared_position(void **state)
{
	unsigned long hist[256] = { 0 };
	unsigned char *buf = malloc(B_SIZE);
	int fd, base, i;

	(void)state;
	g_dev();
	base = fd_count();
	fd = make_file("/tmp/races-b", B_SIZE, 1);
	assert_int_equal(pread(fd, buf, B_SIZE, 0), B_SIZE);
	for (i = 0; i < B_SIZE; i++)
		hist[buf[i]]++;
	free(buf);
	shared_position_round(fd, hist, 1);
	shared_position_round(fd, hist, 0);
	close(fd);
	unlink("/tmp/races-b");
	assert_int_equal(fd_count(), base);
}

/* ------------------------------------------------------------------ */
/* (c) the chain's buffer unmapped by another thread mid-chain */

#define C_LEN 8192
#define C_STEPS 2000

static volatile int c_stop;
static char *c_buf;
static unsigned long c_changes, c_lost;

static void *c_unmapper(void *arg)
{
	unsigned long i;

	(void)arg;
	for (i = 0; !c_stop; i++) {
		switch (i % 3) {
		case 0:
			munmap(c_buf, C_LEN);
			sched_yield();
			if (mmap(c_buf, C_LEN, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				 -1, 0) != c_buf)
				c_lost++;
			break;
		case 1:
			mprotect(c_buf, C_LEN, PROT_NONE);
			sched_yield();
			mprotect(c_buf, C_LEN, PROT_READ | PROT_WRITE);
			break;
		default:
			madvise(c_buf, C_LEN, MADV_DONTNEED);
			break;
		}
	}
	c_changes = i;
	return NULL;
}

static void test_munmap_mid_chain(void **state)
{
	unsigned long chains = 0, faults = 0, oks = 0;
	struct g_chain c;
	pthread_t th;
	double t_end;
	int zero;

	(void)state;
	zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	assert_true(zero >= 0);
	c_buf = mmap(NULL, C_LEN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c_buf != MAP_FAILED);

	/*
	 * 0 read(zero, buf, C_LEN): -EFAULT -> 2, 1..C_LEN -> 3, else -> 1
	 * 1 gettid: anything else came back; stop (status STOPPED)
	 * 2 getpid: counts the faults, back to 0
	 * 3 getppid: counts the reads, back to 0
	 * The loop ends on the step budget.
	 */
	g_init(&c);
	g_opn(&c, __NR_read, zero, (uintptr_t)c_buf, C_LEN);
	g_cond(&c, 0, SYSCHAIN_CMP_EQ, (uint64_t)-EFAULT, SYSCHAIN_ACT_JUMP, 2);
	g_cond(&c, 0, SYSCHAIN_CMP_ULE, C_LEN, SYSCHAIN_ACT_JUMP, 3);
	g_op0(&c, __NR_gettid);
	g_cond(&c, 1, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_STOP, 0);
	g_op0(&c, __NR_getpid);
	g_cond(&c, 2, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 0);
	g_op0(&c, __NR_getppid);
	g_cond(&c, 3, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 0);

	c_stop = 0;
	assert_int_equal(pthread_create(&th, NULL, c_unmapper, NULL), 0);
	t_end = now() + race_seconds();
	while (now() < t_end) {
		g_prepare(&c, 0)->max_steps = C_STEPS;
		assert_int_equal(g_run_prepared(&c), 0);
		if (c.run.status != SYSCHAIN_STATUS_BUDGET)
			fail_msg("status %u at op %u, read returned %lld",
				 c.run.status, c.run.stop_op,
				 (long long)c.res[0].ret);
		assert_int_equal(c.res[1].count, 0);
		assert_int_equal(c.res[0].count, c.res[2].count + c.res[3].count +
				 (c.run.stop_op == 2 || c.run.stop_op == 3));
		faults += c.res[2].count;
		oks += c.res[3].count;
		chains++;
	}
	c_stop = 1;
	pthread_join(th, NULL);
	printf("races(c): %lu chains, %lu reads, %lu -EFAULT, %lu unmap/protect changes (%lu remaps lost)\n",
	       chains, oks, faults, c_changes, c_lost);
	assert_true(faults > 0);
	assert_true(oks > 0);
	munmap(c_buf, C_LEN);
	close(zero);
}

/* ------------------------------------------------------------------ */
/* (d) chains failing halfway leave no descriptor behind */

struct d_thread {
	unsigned long first, count;
	unsigned long variants[4];
	const char *err;
};

static void *d_runner(void *arg)
{
	struct d_thread *t = arg;
	static const char path[] = "/dev/zero";
	struct g_chain c;
	unsigned long i;

	for (i = t->first; i < t->first + t->count; i++) {
		int v = i % 4;

		g_init(&c);
		switch (v) {
		case 0:
			/* openat; read into a bad buffer (ignored); close */
			g_opn(&c, __NR_openat, AT_FDCWD_U64, (uintptr_t)path,
			      O_RDONLY | O_CLOEXEC, 0);
			g_opn(&c, __NR_read, 0, 1, 1);
			g_ref(&c, 1, 0, 0, 0);
			c.ops[1].flags = SYSCHAIN_OP_IGNORE_ERROR;
			g_opn(&c, __NR_close, 0);
			g_ref(&c, 2, 0, 0, 0);
			break;
		case 1:
			/* openat; dup; read (kernel address) fails: stop */
			g_opn(&c, __NR_openat, AT_FDCWD_U64, (uintptr_t)path,
			      O_RDONLY | O_CLOEXEC, 0);
			g_opn(&c, __NR_dup, 0);
			g_ref(&c, 1, 0, 0, 0);
			g_opn(&c, __NR_read, 0, 0xffff888000000000ULL, 1);
			g_ref(&c, 2, 0, 1, 0);
			g_opn(&c, __NR_close, 0);
			g_ref(&c, 3, 0, 1, 0);
			break;
		case 2:
			/* openat with a bad path fails first */
			g_opn(&c, __NR_openat, AT_FDCWD_U64, 8,
			      O_RDONLY | O_CLOEXEC, 0);
			g_opn(&c, __NR_close, 0);
			g_ref(&c, 1, 0, 0, 0);
			break;
		default:
			/*
			 * openat; fstat into a bad buffer (ignored); lseek
			 * with a bad whence fails: stop before the close
			 */
			g_opn(&c, __NR_openat, AT_FDCWD_U64, (uintptr_t)path,
			      O_RDONLY | O_CLOEXEC, 0);
			g_opn(&c, __NR_fstat, 0, 1);
			g_ref(&c, 1, 0, 0, 0);
			c.ops[1].flags = SYSCHAIN_OP_IGNORE_ERROR;
			g_opn(&c, __NR_lseek, 0, 0, 99);
			g_ref(&c, 2, 0, 0, 0);
			g_opn(&c, __NR_close, 0);
			g_ref(&c, 3, 0, 0, 0);
			break;
		}
		if (g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR)) {
			t->err = "ioctl failed";
			return NULL;
		}
		switch (v) {
		case 0:
			if (c.run.status != SYSCHAIN_STATUS_COMPLETED ||
			    c.res[0].ret < 0 || c.res[1].ret != -EFAULT ||
			    c.res[2].ret != 0)
				t->err = "variant 0";
			break;
		case 1:
			if (c.run.status != SYSCHAIN_STATUS_FAILED ||
			    c.run.stop_op != 2 || c.res[0].ret < 0 ||
			    c.res[1].ret < 0 || c.res[2].ret != -EFAULT ||
			    c.res[3].count)
				t->err = "variant 1";
			/* the chain failed before its close: the caller's job */
			if (c.res[0].ret >= 0)
				close(c.res[0].ret);
			if (c.res[1].ret >= 0)
				close(c.res[1].ret);
			break;
		case 2:
			if (c.run.status != SYSCHAIN_STATUS_FAILED ||
			    c.run.stop_op != 0 || c.res[0].ret != -EFAULT ||
			    c.res[1].count)
				t->err = "variant 2";
			break;
		default:
			if (c.run.status != SYSCHAIN_STATUS_FAILED ||
			    c.run.stop_op != 2 || c.res[0].ret < 0 ||
			    c.res[1].ret != -EFAULT ||
			    c.res[2].ret != -EINVAL || c.res[3].count)
				t->err = "variant 3";
			if (c.res[0].ret >= 0)
				close(c.res[0].ret);
			break;
		}
		if (t->err)
			return NULL;
		t->variants[v]++;
	}
	return NULL;
}

static void test_failing_chains_no_leak(void **state)
{
	const char *s = getenv("RACES_CHAINS");
	unsigned long total = s && *s ? strtoul(s, NULL, 0) : 100000;
	struct d_thread t[2];
	pthread_t th[2];
	double t0;
	long chains_before;
	int base, i;

	(void)state;
	g_dev();
	base = fd_count();
	chains_before = g_module_counter("chains_total");
	assert_int_equal(g_module_counter("chains_in_flight"), 0);
	memset(t, 0, sizeof(t));
	t0 = now();
	for (i = 0; i < 2; i++) {
		t[i].first = i * (total / 2);
		t[i].count = i ? total - total / 2 : total / 2;
		assert_int_equal(pthread_create(&th[i], NULL, d_runner, &t[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("races(d): %lu failing chains in 2 threads in %.1f s (RACES_CHAINS), fds %d -> %d\n",
	       total, now() - t0, base, fd_count());
	for (i = 0; i < 2; i++)
		if (t[i].err)
			fail_msg("thread %d: %s", i, t[i].err);
	assert_int_equal(t[0].variants[0] + t[1].variants[0] +
			 t[0].variants[1] + t[1].variants[1] +
			 t[0].variants[2] + t[1].variants[2] +
			 t[0].variants[3] + t[1].variants[3], total);
	assert_int_equal(fd_count(), base);
	/* every chain ran in the module, and none holds module memory now */
	assert_int_equal(g_module_counter("chains_total") - chains_before, total);
	assert_int_equal(g_module_counter("chains_in_flight"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_dup2_race),
		cmocka_unit_test(test_shared_position),
		cmocka_unit_test(test_munmap_mid_chain),
		cmocka_unit_test(test_failing_chains_no_leak),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("syschain-races", tests, NULL, NULL);
}
