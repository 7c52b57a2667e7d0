// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Registered buffers (uapi "Registered buffers", issue 15): ops flagged
 * SYSCHAIN_OP_FIXED_BUF move their data through pages the module pinned
 * at registration. Each case runs the same chain on the kernel backend
 * and on the user backend (plain syscalls on the same addresses) from the
 * same state, and compares results, memory, file contents and positions;
 * then what only the kernel has: registration's refusals, RLIMIT_MEMLOCK,
 * munmap, fork, a second thread writing the buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <libchain.h>
#include "guest.h"

#define SRC	"/tmp/sc-fixed-src"
#define DST	"/tmp/sc-fixed-dst"
#define SRC_LEN	20000
#define PG	4096

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
}

/* SRC with its pattern, DST empty. */
static void make_files(void)
{
	static unsigned char data[SRC_LEN];
	size_t i;
	int fd;

	for (i = 0; i < SRC_LEN; i++)
		data[i] = pattern(i);
	fd = open(SRC, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, SRC_LEN), SRC_LEN);
	close(fd);
	fd = open(DST, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* What one backend's run left: results, the buffers, DST, positions. */
struct outcome {
	int64_t ret[16];
	unsigned char mem[4 * PG];
	unsigned char dst[SRC_LEN + PG];
	ssize_t dst_len;
	off_t src_pos, dst_pos;
};

/*
 * The mixed chain: every file op on a registered buffer, counts that
 * end short at EOF, and a write whose count is an earlier op's result.
 * @mem is two registered buffers of 2 pages each (the second starting
 * mid-page), filled with 0xee first.
 */
static void run_mixed(enum chain_backend be, unsigned char *mem,
		      struct outcome *o)
{
	struct iovec bufs[2] = {
		{ mem, 2 * PG },
		{ mem + 2 * PG + 100, 2 * PG - 100 },
	};
	struct chain_handle pr, rd;
	struct chain *c;
	int s, d;
	unsigned int i;

	make_files();
	memset(mem, 0xee, 4 * PG);
	s = open(SRC, O_RDONLY);
	d = open(DST, O_RDWR);
	assert_true(s >= 0 && d >= 0);
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_set_backend(c, be), 0);
	assert_int_equal(chain_register_buffers(c, bufs, 2, 0), 0);
	pr = chain_pread64(c, s, mem + 10, PG + 50, 3);
	chain_fixed(c, pr);
	assert_int_equal(lseek(s, SRC_LEN - 700, SEEK_SET), SRC_LEN - 700);
	rd = chain_read(c, s, mem + 2 * PG + 100, 1000);	/* short: 700 */
	chain_fixed(c, rd);
	chain_fixed(c, chain_read(c, s, mem + 2 * PG + 200, 10));	/* EOF */
	chain_fixed(c, chain_write(c, d, mem + 2 * PG + 100, chain_res(rd)));
	chain_fixed(c, chain_pwrite64(c, d, mem + 10, chain_res(pr), 5000));
	chain_fixed(c, chain_write(c, d, mem + PG, 7));	/* the first's */
	chain_lseek(c, s, 0, SEEK_CUR);
	/* the whole of the second buffer, to its last byte */
	chain_fixed(c, chain_pread64(c, s, mem + 2 * PG + 100, 2 * PG - 100,
				     0));
	assert_int_equal(chain_build_error(c, NULL), 0);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_report(c)->backend, be);
	memset(o, 0, sizeof(*o));
	for (i = 0; i < chain_nr_ops(c); i++)
		o->ret[i] = chain_ret(c, i);
	memcpy(o->mem, mem, sizeof(o->mem));
	o->src_pos = lseek(s, 0, SEEK_CUR);
	o->dst_pos = lseek(d, 0, SEEK_CUR);
	o->dst_len = pread(d, o->dst, sizeof(o->dst), 0);
	chain_free(c);
	close(s);
	close(d);
}

static void test_fixed_files(void **state)
{
	static struct outcome k, u;
	unsigned char *mem = map_anon(4 * PG);
	size_t i;

	(void)state;
	run_mixed(CHAIN_BACKEND_KERNEL, mem, &k);
	run_mixed(CHAIN_BACKEND_USER, mem, &u);
	assert_memory_equal(k.ret, u.ret, sizeof(k.ret));
	assert_int_equal(k.ret[0], PG + 50);
	assert_int_equal(k.ret[1], 700);
	assert_int_equal(k.ret[2], 0);
	assert_int_equal(k.ret[3], 700);
	assert_int_equal(k.ret[4], PG + 50);
	assert_int_equal(k.ret[5], 7);
	assert_int_equal(k.ret[6], SRC_LEN);
	assert_int_equal(k.ret[7], 2 * PG - 100);
	assert_memory_equal(k.mem, u.mem, sizeof(k.mem));
	for (i = 0; i < 2 * PG - 100; i++)
		assert_int_equal(k.mem[2 * PG + 100 + i], pattern(i));
	assert_int_equal(k.dst_len, u.dst_len);
	assert_int_equal(k.dst_len, 5000 + PG + 50);
	assert_memory_equal(k.dst, u.dst, (size_t)k.dst_len);
	assert_int_equal(k.src_pos, u.src_pos);
	assert_int_equal(k.dst_pos, u.dst_pos);
	assert_int_equal(k.dst_pos, 707);
	munmap(mem, 4 * PG);
}

/* One fixed read of @count bytes at @p on @be: its result. */
static int64_t fixed_read_at(enum chain_backend be, const struct iovec *bufs,
			     unsigned int nbufs, void *p, size_t count)
{
	struct chain *c;
	int64_t ret;
	int s = open(SRC, O_RDONLY);

	assert_true(s >= 0);
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_set_backend(c, be), 0);
	assert_int_equal(chain_register_buffers(c, bufs, nbufs, 0), 0);
	chain_fixed(c, chain_read(c, s, p, count));
	assert_int_equal(chain_run(c), 0);
	ret = chain_ret(c, 0);
	chain_free(c);
	close(s);
	return ret;
}

/* The range must lie in one buffer: else -EFAULT, on both backends. */
static void test_fixed_range(void **state)
{
	unsigned char *mem = map_anon(4 * PG);
	struct iovec bufs[3] = {
		{ mem + 100, PG },
		{ mem + 100 + PG, PG },	/* adjacent to the first */
		{ mem + 3 * PG, PG },	/* a page, aligned */
	};
	static const struct {
		long off;	/* from mem */
		size_t count;
		int64_t want;
	} cases[] = {
		{ 100, PG, PG },		/* the whole first buffer */
		{ 100 + PG - 1, 1, 1 },		/* its last byte */
		{ 100 + PG - 1, 2, -EFAULT },	/* across into the second */
		{ 99, 1, -EFAULT },		/* one byte before */
		{ 100 + 2 * PG, 0, 0 },		/* empty, at the very end */
		{ 100 + 2 * PG, 1, -EFAULT },	/* past the end */
		{ 100 + PG, PG, PG },		/* the whole second one */
		{ 100 + PG + 1, PG, -EFAULT },
		{ 200, (size_t)-1, -EFAULT },	/* a count that wraps */
		{ 3 * PG, PG, PG },		/* the aligned page */
		{ 4 * PG, 0, 0 },		/* empty, at its end */
		{ 4 * PG - 1, 1, 1 },
	};
	unsigned int i;
	int b;

	(void)state;
	make_files();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (b = 0; b < 2; b++) {
			enum chain_backend be = b ? CHAIN_BACKEND_USER :
						    CHAIN_BACKEND_KERNEL;
			int64_t r = fixed_read_at(be, bufs, 3,
						  mem + cases[i].off,
						  cases[i].count);

			if (r != cases[i].want)
				fail_msg("case %u on %s: %lld, want %lld", i,
					 b ? "user" : "kernel", (long long)r,
					 (long long)cases[i].want);
		}
	}
	munmap(mem, 4 * PG);
}

/* Sockets: sendto and recvfrom on registered buffers, both backends. */
static void test_fixed_socket(void **state)
{
	unsigned char *mem = map_anon(2 * PG);
	struct iovec buf = { mem, 2 * PG };
	unsigned char got[2][300];
	int64_t ret[2][3];
	int b, sv[2];

	(void)state;
	for (b = 0; b < 2; b++) {
		struct chain *c;
		int k;

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		memset(mem, 0, 2 * PG);
		for (k = 0; k < 200; k++)
			mem[PG - 100 + k] = pattern(k);
		assert_int_equal(chain_new(&c), 0);
		assert_int_equal(chain_set_backend(c, b ? CHAIN_BACKEND_USER :
						   CHAIN_BACKEND_KERNEL), 0);
		assert_int_equal(chain_register_buffers(c, &buf, 1, 0), 0);
		/* across the page boundary, both ways */
		chain_fixed(c, chain_sendto(c, sv[0], mem + PG - 100, 200, 0,
					    NULL, 0));
		chain_fixed(c, chain_recvfrom(c, sv[1], mem + PG + 500, 300,
					      MSG_DONTWAIT, NULL, NULL));
		chain_fixed(c, chain_recvfrom(c, sv[1], mem + PG + 500, 300,
					      MSG_DONTWAIT, NULL, NULL));
		assert_int_equal(chain_run(c), 0);
		for (k = 0; k < 3; k++)
			ret[b][k] = chain_ret(c, k);
		memcpy(got[b], mem + PG + 500, 300);
		chain_free(c);
		close(sv[0]);
		close(sv[1]);
	}
	assert_int_equal(ret[0][0], 200);
	assert_int_equal(ret[0][1], 200);
	assert_int_equal(ret[0][2], -EAGAIN);
	assert_memory_equal(ret[0], ret[1], sizeof(ret[0]));
	assert_memory_equal(got[0], got[1], sizeof(got[0]));
	assert_memory_equal(got[0], mem + PG - 100, 200);
	munmap(mem, 2 * PG);
}

/*
 * A file with ->read() and no ->read_iter() (a timerfd): the data goes
 * through the user addresses, as the syscall takes it.
 */
static void test_fixed_read_method(void **state)
{
	unsigned char *mem = map_anon(PG);
	struct iovec buf = { mem, PG };
	struct itimerspec its = { .it_value = { 0, 1000 } };
	int b;

	(void)state;
	for (b = 0; b < 2; b++) {
		struct chain *c;
		uint64_t n = 0;
		int t = timerfd_create(CLOCK_MONOTONIC, 0);

		assert_true(t >= 0);
		assert_int_equal(timerfd_settime(t, 0, &its, NULL), 0);
		usleep(2000);
		memset(mem, 0, PG);
		assert_int_equal(chain_new(&c), 0);
		assert_int_equal(chain_set_backend(c, b ? CHAIN_BACKEND_USER :
						   CHAIN_BACKEND_KERNEL), 0);
		assert_int_equal(chain_register_buffers(c, &buf, 1, 0), 0);
		chain_fixed(c, chain_read(c, t, mem + PG - 8, 8));
		chain_fixed(c, chain_read(c, t, mem, 4));	/* too small */
		assert_int_equal(chain_run(c), 0);
		assert_int_equal(chain_ret(c, 0), 8);
		assert_int_equal(chain_ret(c, 1), -EINVAL);
		memcpy(&n, mem + PG - 8, 8);
		assert_int_equal(n, 1);
		chain_free(c);
		close(t);
	}
	munmap(mem, PG);
}

/* Copy SRC to DST in a loop of fixed reads and writes, in one run. */
static void test_fixed_copy_loop(void **state)
{
	unsigned char *mem = map_anon(PG);
	struct iovec buf = { mem, PG };
	static unsigned char out[SRC_LEN];
	struct chain_handle rd, wr;
	struct chain *c;
	int s, d, b, i;

	(void)state;
	for (b = 0; b < 2; b++) {
		make_files();
		s = open(SRC, O_RDONLY);
		d = open(DST, O_WRONLY | O_TRUNC);
		assert_int_equal(chain_new(&c), 0);
		assert_int_equal(chain_set_backend(c, b ? CHAIN_BACKEND_USER :
						   CHAIN_BACKEND_KERNEL), 0);
		assert_int_equal(chain_register_buffers(c, &buf, 1, 0), 0);
		assert_int_equal(chain_set_stop_on_error(c, true), 0);
		rd = chain_read(c, s, mem, 1000);	/* 1000: not page-sized */
		chain_fixed(c, rd);
		chain_stop_if(c, rd, CHAIN_EQ, 0);
		wr = chain_write(c, d, mem, chain_res(rd));
		chain_fixed(c, wr);
		chain_jump_if(c, wr, CHAIN_ALWAYS, 0, rd);
		assert_int_equal(chain_build_error(c, NULL), 0);
		assert_int_equal(chain_run(c), 0);
		assert_int_equal(chain_report(c)->status,
				 SYSCHAIN_STATUS_STOPPED);
		assert_int_equal(chain_count(c, rd), SRC_LEN / 1000 + 1);
		chain_free(c);
		close(s);
		close(d);
		d = open(DST, O_RDONLY);
		assert_int_equal(read(d, out, sizeof(out)), SRC_LEN);
		close(d);
		for (i = 0; i < SRC_LEN; i++)
			assert_int_equal(out[i], pattern((size_t)i));
	}
	munmap(mem, PG);
}

/* SYSCHAIN_REGISTER with buffers, raw; errno (0 or -errno), fd out. */
static int reg_raw(uint32_t nr, uint64_t flags, const void *bufs,
		   uint32_t nbufs, uint32_t buf_size,
		   struct syschain_register *r)
{
	static struct syschain_op op;

	memset(&op, 0, sizeof(op));
	op.nr = nr;
	op.flags = (uint16_t)flags;
	if (nr == __NR_read) {
		op.args[0] = 0;
		op.args[1] = nbufs ? ((const struct syschain_buf *)bufs)->addr
				   : 0;
		op.args[2] = 1;
	}
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->nr_ops = 1;
	r->op_size = sizeof(op);
	r->cond_size = sizeof(struct syschain_cond);
	r->ops_uptr = (uintptr_t)&op;
	r->nr_bufs = nbufs;
	r->buf_size = buf_size;
	r->bufs_uptr = (uintptr_t)bufs;
	r->flags = SYSCHAIN_REGISTER_CLOEXEC;
	if (ioctl(g_dev(), SYSCHAIN_REGISTER, r) < 0)
		return -errno;
	close(r->fd);
	return 0;
}

static void expect_reg(const struct syschain_buf *b, uint32_t n,
		       uint32_t size, int want, uint32_t want_cond)
{
	struct syschain_register r;
	int ret = reg_raw(__NR_read, SYSCHAIN_OP_FIXED_BUF, b, n, size, &r);

	if (ret != want)
		fail_msg("register: %d (%s), want %d", ret, strerror(-ret),
			 want);
	if (want)
		assert_int_equal(r.stop_cond, want_cond);
}

static void test_fixed_refusals(void **state)
{
	unsigned char *mem = map_anon(3 * PG);	/* 2 pages, then a hole */
	unsigned char *ro = mmap(NULL, PG, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct syschain_buf b[SYSCHAIN_MAX_BUFS + 1];
	struct { struct syschain_buf b; uint64_t tail; } big;
	struct syschain_register r;
	struct g_chain gc;
	unsigned int i;
	void *fm;
	int fd;

	(void)state;
	assert_int_equal(munmap(mem + 2 * PG, PG), 0);
	assert_true(ro != MAP_FAILED);
	memset(b, 0, sizeof(b));
	for (i = 0; i <= SYSCHAIN_MAX_BUFS; i++) {
		b[i].addr = (uintptr_t)mem;
		b[i].len = PG;
	}
	expect_reg(b, 1, sizeof(b[0]), 0, 0);
	expect_reg(b, SYSCHAIN_MAX_BUFS, sizeof(b[0]), 0, 0);
	expect_reg(b, SYSCHAIN_MAX_BUFS + 1, sizeof(b[0]), -E2BIG,
		   SYSCHAIN_NO_INDEX);
	expect_reg(b, 1, 16, -EINVAL, SYSCHAIN_NO_INDEX);
	expect_reg(b, 1, 28, -EINVAL, SYSCHAIN_NO_INDEX);
	big.b = b[0];
	big.tail = 0;
	expect_reg(&big.b, 1, sizeof(big), 0, 0);
	big.tail = 1;
	expect_reg(&big.b, 1, sizeof(big), -E2BIG, 0);
	b[1].len = 0;
	expect_reg(b, 2, sizeof(b[0]), -EINVAL, 1);
	b[1].len = PG;
	b[1].flags = 2;	/* unknown */
	expect_reg(b, 2, sizeof(b[0]), -EINVAL, 1);
	b[1].flags = 0;
	b[1].__reserved = 1;
	expect_reg(b, 2, sizeof(b[0]), -EINVAL, 1);
	b[1].__reserved = 0;
	b[1].len = (1ULL << 30) + 1;
	expect_reg(b, 2, sizeof(b[0]), -E2BIG, 1);
	b[1].len = 3 * PG;	/* runs past the mapping */
	expect_reg(b, 2, sizeof(b[0]), -EFAULT, 1);
	b[1].addr = (uintptr_t)ro;
	b[1].len = PG;
	expect_reg(b, 2, sizeof(b[0]), -EFAULT, 1);
	b[1].addr = (uint64_t)-PG;	/* kernel space */
	expect_reg(b, 2, sizeof(b[0]), -EFAULT, 1);

	/* a ramfs file's mapping is refused, a memfd's taken */
	assert_int_equal(mkdir("/tmp/sc-fixed-ramfs", 0755) && errno != EEXIST,
			 0);
	assert_int_equal(mount("none", "/tmp/sc-fixed-ramfs", "ramfs", 0, NULL),
			 0);
	fd = open("/tmp/sc-fixed-ramfs/f", O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, PG), 0);
	fm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(fm != MAP_FAILED);
	b[1].addr = (uintptr_t)fm;
	expect_reg(b, 2, sizeof(b[0]), -EOPNOTSUPP, 1);
	munmap(fm, PG);
	close(fd);
	assert_int_equal(umount("/tmp/sc-fixed-ramfs"), 0);
	fd = memfd_create("sc-fixed", 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, PG), 0);
	fm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(fm != MAP_FAILED);
	b[1].addr = (uintptr_t)fm;
	expect_reg(b, 2, sizeof(b[0]), 0, 0);
	munmap(fm, PG);
	close(fd);

	/* the flag on an op without a data buffer; without buffers */
	assert_int_equal(reg_raw(__NR_getppid, SYSCHAIN_OP_FIXED_BUF, b, 1,
				 sizeof(b[0]), &r), -EINVAL);
	assert_int_equal(r.stop_op, 0);
	assert_int_equal(reg_raw(__NR_read, SYSCHAIN_OP_FIXED_BUF, NULL, 0, 0,
				 &r), -EINVAL);
	assert_int_equal(r.stop_op, 0);
	g_init(&gc);
	i = g_op_u64(&gc, __NR_read, 3, (uint64_t[]){ 0, (uintptr_t)mem, 1 });
	gc.ops[i].flags = SYSCHAIN_OP_FIXED_BUF;
	assert_int_equal(g_run(&gc, 0), -EINVAL);
	assert_int_equal(gc.run.stop_op, i);
	munmap(ro, PG);
	munmap(mem, 2 * PG);
}

/*
 * Pinned pages are charged to the user's RLIMIT_MEMLOCK, across its
 * chains, and given back when a chain goes: in a child that has dropped
 * CAP_IPC_LOCK with its root identity.
 */
static int memlock_child(void)
{
	struct rlimit rl = { 16 * PG, 16 * PG };	/* 16 pages */
	unsigned char *mem = map_anon(64 * PG);
	struct syschain_buf b = { (uintptr_t)mem, 8 * PG, 0, 0 };
	struct syschain_buf big = { (uintptr_t)mem, 17 * PG, 0, 0 };
	struct syschain_register r;
	int fds[3], i;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setresuid(65534, 65534, 65534))
		return 10;
	if (reg_raw(__NR_read, SYSCHAIN_OP_FIXED_BUF, &big, 1, sizeof(big),
		    &r) != -ENOMEM)
		return 11;
	for (i = 0; i < 3; i++) {
		struct syschain_op op = { .nr = __NR_read,
					  .flags = SYSCHAIN_OP_FIXED_BUF,
					  .args = { 0, b.addr, 1 } };

		memset(&r, 0, sizeof(r));
		r.size = sizeof(r);
		r.nr_ops = 1;
		r.op_size = sizeof(op);
		r.cond_size = sizeof(struct syschain_cond);
		r.ops_uptr = (uintptr_t)&op;
		r.nr_bufs = 1;
		r.buf_size = sizeof(b);
		r.bufs_uptr = (uintptr_t)&b;
		fds[i] = ioctl(g_dev(), SYSCHAIN_REGISTER, &r) ? -errno : r.fd;
	}
	if (fds[0] < 0 || fds[1] < 0 || fds[2] != -ENOMEM)
		return 12;
	close(fds[1]);
	if (reg_raw(__NR_read, SYSCHAIN_OP_FIXED_BUF, &b, 1, sizeof(b), &r))
		return 13;	/* the pages came back */
	return 0;
}

static void test_fixed_memlock(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	g_dev();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		guest_child_exit(memlock_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Run a registered chain's descriptor once, raw: op 0's result. */
static int64_t exec_raw(int fd)
{
	struct syschain_result res[4];
	struct syschain_exec x;

	memset(&x, 0, sizeof(x));
	x.size = sizeof(x);
	x.results_uptr = (uintptr_t)res;
	if (ioctl(fd, SYSCHAIN_EXEC, &x))
		return -1000 - errno;
	return res[0].ret;
}

static int register_read(unsigned char *mem, size_t len, int src)
{
	struct syschain_buf b = { (uintptr_t)mem, len, 0, 0 };
	struct syschain_op op = { .nr = __NR_pread64,
				  .flags = SYSCHAIN_OP_FIXED_BUF,
				  .args = { (uint64_t)src, (uintptr_t)mem, len,
					    0 } };
	struct syschain_register r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.nr_ops = 1;
	r.op_size = sizeof(op);
	r.cond_size = sizeof(struct syschain_cond);
	r.ops_uptr = (uintptr_t)&op;
	r.nr_bufs = 1;
	r.buf_size = sizeof(b);
	r.bufs_uptr = (uintptr_t)&b;
	assert_int_equal(ioctl(g_dev(), SYSCHAIN_REGISTER, &r), 0);
	return r.fd;
}

/*
 * After munmap, the pinned pages take the data and no mapping shows it;
 * a new mapping at the same address is not written. Closing the chain
 * lets the pages go (the sanitizer kernel's leak and use checks watch).
 */
static void test_fixed_munmap(void **state)
{
	unsigned char *mem = map_anon(2 * PG);
	unsigned char *again;
	int src, fd;
	size_t i;

	(void)state;
	make_files();
	src = open(SRC, O_RDONLY);
	fd = register_read(mem, 2 * PG, src);
	assert_int_equal(exec_raw(fd), 2 * PG);
	assert_int_equal(mem[5], pattern(5));
	assert_int_equal(munmap(mem, 2 * PG), 0);
	assert_int_equal(exec_raw(fd), 2 * PG);	/* into the pinned pages */
	again = mmap(mem, 2 * PG, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_ptr_equal(again, mem);
	assert_int_equal(exec_raw(fd), 2 * PG);
	for (i = 0; i < 2 * PG; i++)
		assert_int_equal(again[i], 0);
	close(fd);
	close(src);
	munmap(again, 2 * PG);
}

/*
 * A child after fork runs the inherited chain on its own memory: its
 * copy of the buffer gets the data, the parent's pinned pages do not.
 */
static void test_fixed_fork(void **state)
{
	unsigned char *mem = map_anon(PG);
	int src, fd, st;
	pid_t pid;

	(void)state;
	make_files();
	src = open(SRC, O_RDONLY);
	memset(mem, 0x5a, PG);
	fd = register_read(mem, PG, src);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int bad = exec_raw(fd) != PG || mem[7] != pattern(7);

		guest_child_exit(bad);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(mem[7], 0x5a);	/* the parent's untouched */
	assert_int_equal(exec_raw(fd), PG);	/* and its own run fills it */
	assert_int_equal(mem[7], pattern(7));
	close(fd);
	close(src);
	munmap(mem, PG);
}

static volatile int scribbling;

static void *scribble(void *arg)
{
	unsigned char *mem = arg;
	unsigned int i = 0;

	while (__atomic_load_n(&scribbling, __ATOMIC_RELAXED))
		memset(mem, (int)i++, PG);
	return NULL;
}

/* Another thread writing the buffer while chains read into it. */
static void test_fixed_thread(void **state)
{
	unsigned char *mem = map_anon(PG);
	pthread_t t;
	int src, fd, i;

	(void)state;
	make_files();
	src = open(SRC, O_RDONLY);
	fd = register_read(mem, PG, src);
	scribbling = 1;
	assert_int_equal(pthread_create(&t, NULL, scribble, mem), 0);
	for (i = 0; i < 2000; i++)
		assert_int_equal(exec_raw(fd), PG);
	__atomic_store_n(&scribbling, 0, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	assert_int_equal(exec_raw(fd), PG);
	assert_int_equal(mem[100], pattern(100));
	close(fd);
	close(src);
	munmap(mem, PG);
}

/*
 * Kernel buffers (the handoff): the bytes a chain reads and writes on stay
 * in the chain's kernel memory, which starts as the range's content at
 * registration; the range's own memory is not touched on the kernel
 * backend, and the user backend, running the syscalls on it, gives the
 * same results and files. A timerfd (->read() only) and an eventfd
 * (->write() only) take the data through the range's memory.
 */
struct handoff {
	int64_t ret[12];
	unsigned char dst[8192];
	ssize_t dst_len;
	uint64_t ev;
};

static void run_handoff(enum chain_backend be, unsigned char *mem,
			struct handoff *o)
{
	struct iovec buf = { mem, 2 * PG };
	struct itimerspec its = { .it_value = { 0, 1000 } };
	uint64_t five = 5;
	struct chain_handle pr;
	struct chain *c;
	unsigned int i;
	int s, d, p[2], t, e;

	make_files();
	memset(mem, 0x77, 2 * PG);
	memcpy(mem + PG + 10, "hello", 5);
	memcpy(mem + PG + 16, &five, 8);
	s = open(SRC, O_RDONLY);
	d = open(DST, O_RDWR);
	t = timerfd_create(CLOCK_MONOTONIC, 0);
	e = eventfd(0, EFD_NONBLOCK);
	assert_true(s >= 0 && d >= 0 && t >= 0 && e >= 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(timerfd_settime(t, 0, &its, NULL), 0);
	usleep(2000);
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_set_backend(c, be), 0);
	assert_int_equal(chain_register_buffers(c, &buf, 1, CHAIN_BUF_KERNEL),
			 0);
	pr = chain_pread64(c, s, mem + 100, 3000, 7);
	chain_fixed(c, pr);
	chain_fixed(c, chain_write(c, d, mem + 100, chain_res(pr)));
	chain_fixed(c, chain_write(c, d, mem + PG + 10, 5));	/* as registered */
	chain_fixed(c, chain_write(c, p[1], mem + 100, 50));
	chain_fixed(c, chain_read(c, p[0], mem + 1, 50));
	chain_fixed(c, chain_write(c, d, mem + 1, 50));
	chain_fixed(c, chain_read(c, t, mem + 2 * PG - 8, 8));	/* ->read() */
	chain_fixed(c, chain_write(c, d, mem + 2 * PG - 8, 8));
	chain_fixed(c, chain_write(c, e, mem + PG + 16, 8));	/* ->write() */
	assert_int_equal(chain_build_error(c, NULL), 0);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_report(c)->backend, be);
	memset(o, 0, sizeof(*o));
	for (i = 0; i < chain_nr_ops(c); i++)
		o->ret[i] = chain_ret(c, i);
	o->dst_len = pread(d, o->dst, sizeof(o->dst), 0);
	assert_int_equal(read(e, &o->ev, 8), 8);
	chain_free(c);
	close(s);
	close(d);
	close(t);
	close(e);
	close(p[0]);
	close(p[1]);
}

static void test_kernel_buffer(void **state)
{
	static struct handoff k, u;
	unsigned char *mem = map_anon(2 * PG);
	unsigned char want[3000 + 5 + 50 + 8];
	uint64_t one = 1;
	size_t i;

	(void)state;
	run_handoff(CHAIN_BACKEND_KERNEL, mem, &k);
	/*
	 * The range's memory as registered: no op wrote it but the timerfd's
	 * read, whose ->read() takes only user addresses (its last 8 bytes).
	 */
	for (i = 0; i < 2 * PG - 8; i++)
		if (i < PG + 10 || i >= PG + 24)
			assert_int_equal(mem[i], 0x77);
	run_handoff(CHAIN_BACKEND_USER, mem, &u);
	assert_memory_equal(k.ret, u.ret, sizeof(k.ret));
	assert_int_equal(k.ret[0], 3000);
	assert_int_equal(k.ret[1], 3000);
	assert_int_equal(k.ret[4], 50);
	assert_int_equal(k.ret[6], 8);
	assert_int_equal(k.ret[8], 8);
	assert_int_equal(k.dst_len, u.dst_len);
	assert_int_equal(k.dst_len, sizeof(want));
	for (i = 0; i < 3000; i++)
		want[i] = pattern(i + 7);
	memcpy(want + 3000, "hello", 5);
	for (i = 0; i < 50; i++)
		want[3005 + i] = pattern(i + 7);
	memcpy(want + 3055, &one, 8);
	assert_memory_equal(k.dst, want, sizeof(want));
	assert_memory_equal(u.dst, want, sizeof(want));
	assert_int_equal(k.ev, 5);
	assert_int_equal(u.ev, 5);
	munmap(mem, 2 * PG);
}

/*
 * readv and writev: every segment of non-zero length in one registered
 * buffer (pinned, then kernel), or -EFAULT; an array the syscall refuses
 * gets the syscall's answer. Both backends, the same results and files.
 */
struct iov_outcome {
	int64_t ret[12];
	unsigned char dst[4 * PG];
	ssize_t dst_len;
	uint64_t tick;
};

static void run_iov(enum chain_backend be, unsigned char *mem,
		    unsigned int flags, struct iov_outcome *o)
{
	struct iovec bufs[2] = { { mem, PG }, { mem + PG + 8, 2 * PG } };
	struct iovec *in = (struct iovec *)(mem + 3 * PG + 512);
	struct iovec bad[2] = { { mem + 10, 5 }, { mem + PG, 16 } };
	struct iovec nothing = { NULL, 0 };
	struct itimerspec its = { .it_value = { 0, 1000 } };
	struct chain_handle rv;
	struct chain *c;
	unsigned int i;
	int s, d, t, p[2];

	make_files();
	memset(mem, 0x66, 3 * PG);
	/* the arrays outside the buffers: they are not data */
	in[0] = (struct iovec){ mem + 100, 1000 };
	in[1] = (struct iovec){ NULL, 0 };	/* empty: anywhere */
	in[2] = (struct iovec){ mem + PG + 8, 2 * PG };
	in[3] = (struct iovec){ mem + 5, 7 };
	s = open(SRC, O_RDONLY);
	d = open(DST, O_RDWR);
	t = timerfd_create(CLOCK_MONOTONIC, 0);
	assert_true(s >= 0 && d >= 0 && t >= 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(timerfd_settime(t, 0, &its, NULL), 0);
	usleep(2000);
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_set_backend(c, be), 0);
	assert_int_equal(chain_set_stop_on_error(c, false), 0);
	assert_int_equal(chain_register_buffers(c, bufs, 2, flags), 0);
	rv = chain_readv(c, s, in, 4);
	chain_fixed(c, rv);
	chain_fixed(c, chain_writev(c, d, in, 4));
	chain_fixed(c, chain_readv(c, s, bad, 2));	/* across: -EFAULT */
	chain_fixed(c, chain_readv(c, s, (struct iovec *)8, 1));
	chain_fixed(c, chain_readv(c, s, in, 0));
	chain_fixed(c, chain_readv(c, s, in, 1025));
	chain_fixed(c, chain_readv(c, s, &nothing, 1));
	chain_fixed(c, chain_readv(c, t, in + 3, 1));	/* ->read(): 8 of 7 */
	chain_fixed(c, chain_readv(c, t, in + 2, 1));	/* the tick: 8 */
	assert_int_equal(chain_build_error(c, NULL), 0);
	/* nonblocking, should the tick not have come */
	assert_int_equal(fcntl(t, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(chain_run(c), 0);
	memset(o, 0, sizeof(*o));
	for (i = 0; i < chain_nr_ops(c); i++)
		o->ret[i] = chain_ret(c, i);
	o->dst_len = pread(d, o->dst, sizeof(o->dst), 0);
	chain_free(c);
	close(s);
	close(d);
	close(t);
	close(p[0]);
	close(p[1]);
}

static void test_fixed_iov(void **state)
{
	static struct iov_outcome k, u;
	unsigned char *mem = map_anon(4 * PG);
	unsigned int f;
	size_t i;

	(void)state;
	for (f = 0; f < 2; f++) {
		unsigned int flags = f ? CHAIN_BUF_KERNEL : 0;

		run_iov(CHAIN_BACKEND_KERNEL, mem, flags, &k);
		run_iov(CHAIN_BACKEND_USER, mem, flags, &u);
		for (i = 0; i < 9; i++)
			if (k.ret[i] != u.ret[i])
				fail_msg("flags %u, op %zu: kernel %lld, user %lld",
					 flags, i, (long long)k.ret[i],
					 (long long)u.ret[i]);
		assert_int_equal(k.ret[0], 1000 + 2 * PG + 7);
		assert_int_equal(k.ret[1], 1000 + 2 * PG + 7);
		assert_int_equal(k.ret[2], -EFAULT);
		assert_int_equal(k.ret[3], -EFAULT);
		assert_int_equal(k.ret[4], 0);
		assert_int_equal(k.ret[5], -EINVAL);
		assert_int_equal(k.ret[6], 0);
		assert_int_equal(k.ret[7], -EINVAL);	/* 7 < 8 bytes */
		assert_int_equal(k.ret[8], 8);
		assert_int_equal(k.dst_len, u.dst_len);
		assert_int_equal(k.dst_len, 1000 + 2 * PG + 7);
		assert_memory_equal(k.dst, u.dst, (size_t)k.dst_len);
		for (i = 0; i < (size_t)k.dst_len; i++)
			assert_int_equal(k.dst[i], pattern(i));
	}
	munmap(mem, 4 * PG);
}

static void test_kernel_buffer_refusals(void **state)
{
	unsigned char *mem = map_anon(2 * PG);
	unsigned char *big = mmap(NULL, SYSCHAIN_MAX_KERNEL_BUF + PG,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
	struct syschain_buf b[2] = {
		{ (uintptr_t)mem, PG, SYSCHAIN_BUF_KERNEL, 0 },
		{ (uintptr_t)mem, PG, SYSCHAIN_BUF_KERNEL, 0 },
	};

	(void)state;
	assert_true(big != MAP_FAILED);
	expect_reg(b, 2, sizeof(b[0]), 0, 0);
	b[1].flags = 2;
	expect_reg(b, 2, sizeof(b[0]), -EINVAL, 1);
	b[1].flags = SYSCHAIN_BUF_KERNEL;
	b[1].addr = (uintptr_t)big;
	b[1].len = SYSCHAIN_MAX_KERNEL_BUF - PG;	/* 16 MiB in all */
	expect_reg(b, 2, sizeof(b[0]), 0, 0);
	b[1].len++;
	expect_reg(b, 2, sizeof(b[0]), -E2BIG, 1);
	b[1].len = PG;
	b[1].addr = (uintptr_t)mem + 2 * PG;	/* unmapped: cannot be read */
	assert_int_equal(munmap(mem + PG, PG), 0);
	b[1].addr = (uintptr_t)mem + PG;
	expect_reg(b, 2, sizeof(b[0]), -EFAULT, 1);
	munmap(big, SYSCHAIN_MAX_KERNEL_BUF + PG);
	munmap(mem, PG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_files),
		cmocka_unit_test(test_fixed_range),
		cmocka_unit_test(test_fixed_socket),
		cmocka_unit_test(test_fixed_read_method),
		cmocka_unit_test(test_fixed_copy_loop),
		cmocka_unit_test(test_fixed_refusals),
		cmocka_unit_test(test_fixed_memlock),
		cmocka_unit_test(test_fixed_munmap),
		cmocka_unit_test(test_fixed_fork),
		cmocka_unit_test(test_fixed_thread),
		cmocka_unit_test(test_kernel_buffer),
		cmocka_unit_test(test_fixed_iov),
		cmocka_unit_test(test_kernel_buffer_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
