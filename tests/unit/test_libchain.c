// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Host unit tests of libchain (build/libchain/libchain.a).
 *
 * The host has no /dev/syschain, so chains run on the user backend (the
 * shared engine, each op a plain syscall): results are checked against
 * what the syscalls do. White-box checks look at the encoded ops and
 * conditions through the library's internal header. The kernel backend
 * must fail cleanly with -ENOENT, and auto must fall back to user.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "../fd_count.h"
#include "libchain.h"
#include "internal.h"		/* white-box: struct chain */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define U(x) ((uint64_t)(uintptr_t)(x))

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif

static char dir[64];
static char file_path[128];
static const char content[] = "0123456789abcdefghijklmnopqrstuvwxyz";
#define CONTENT_LEN ((int)sizeof(content) - 1)

static int group_setup(void **state)
{
	int fd;

	(void)state;
	strcpy(dir, "/tmp/test_libchain.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file_path, sizeof(file_path), "%s/data", dir);
	fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, CONTENT_LEN) != CONTENT_LEN)
		return -1;
	return close(fd);
}

static int group_teardown(void **state)
{
	char p[160];

	(void)state;
	snprintf(p, sizeof(p), "%s/out", dir);
	unlink(p);
	unlink(file_path);
	return rmdir(dir);
}

/* A fresh chain on the user backend (the host has no module). */
static struct chain *new_user_chain(void)
{
	struct chain *c = NULL;

	assert_int_equal(chain_new(&c), 0);
	assert_non_null(c);
	assert_int_equal(chain_set_backend(c, CHAIN_BACKEND_USER), 0);
	return c;
}

static void run_ok(struct chain *c, uint32_t status)
{
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->status, status);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_USER);
}

/* ------------------------------------------------------------------ */
/* Encoding (white-box)                                                 */
/* ------------------------------------------------------------------ */

static void check_op(const struct chain *c, int i, uint32_t nr,
		     unsigned int nargs, const uint64_t *args)
{
	const struct syschain_op *op = &c->ops[i];
	unsigned int k;

	assert_int_equal(op->nr, nr);
	assert_int_equal(op->flags, 0);
	assert_int_equal(op->ref_mask, 0);
	for (k = 0; k < SYSCHAIN_MAX_ARGS; k++) {
		assert_int_equal(op->args[k], k < nargs ? args[k] : 0);
		assert_int_equal(op->arg_ref[k], 0);
	}
}

static void test_builder_encoding(void **state)
{
	struct chain *c = new_user_chain();
	char buf[4];
	uint64_t bp = (uintptr_t)buf, pp = (uintptr_t)"p";

	(void)state;
	assert_int_equal(chain_read(c, 3, buf, 4).op, 0);
	assert_int_equal(chain_write(c, 4, buf, 5).op, 1);
	assert_int_equal(chain_openat(c, AT_FDCWD, "p", O_RDONLY, 0644).op, 2);
	assert_int_equal(chain_close(c, 7).op, 3);
	assert_int_equal(chain_lseek(c, 8, -3, SEEK_END).op, 4);
	assert_int_equal(chain_pread64(c, 9, buf, 2, 100).op, 5);
	assert_int_equal(chain_pwrite64(c, 10, buf, 3, 200).op, 6);
	assert_int_equal(chain_getpid(c).op, 7);
	assert_int_equal(chain_getppid(c).op, 8);
	assert_int_equal(chain_gettid(c).op, 9);
	assert_int_equal(chain_nr_ops(c), 10);

	check_op(c, 0, __NR_read, 3, (uint64_t[]){ 3, bp, 4 });
	check_op(c, 1, __NR_write, 3, (uint64_t[]){ 4, bp, 5 });
	/* "p" may or may not be merged with the literal above: compare */
	assert_int_equal(c->ops[2].nr, __NR_openat);
	assert_int_equal((int)c->ops[2].args[0], AT_FDCWD);
	assert_string_equal((const char *)(uintptr_t)c->ops[2].args[1], "p");
	(void)pp;
	assert_int_equal(c->ops[2].args[2], O_RDONLY);
	assert_int_equal(c->ops[2].args[3], 0644);
	check_op(c, 3, __NR_close, 1, (uint64_t[]){ 7 });
	check_op(c, 4, __NR_lseek, 3, (uint64_t[]){ 8, (uint64_t)-3, SEEK_END });
	check_op(c, 5, __NR_pread64, 4, (uint64_t[]){ 9, bp, 2, 100 });
	check_op(c, 6, __NR_pwrite64, 4, (uint64_t[]){ 10, bp, 3, 200 });
	check_op(c, 7, __NR_getpid, 0, NULL);
	check_op(c, 8, __NR_getppid, 0, NULL);
	check_op(c, 9, __NR_gettid, 0, NULL);
	chain_free(c);
}

/* the builders added with the second batch of ops, chain_readv on */
static void test_builder_encoding_more(void **state)
{
	struct chain *c = new_user_chain();
	struct iovec iov[2];
	struct stat st;
	struct timespec ts, rem;
	long long off_in, off_out;
	char dents[64], buf[8], addr[16];
	int alen;
	uint64_t ip = U(iov), sp = U(&st), tp = U(&ts), rp = U(&rem);
	uint64_t bp = U(buf), ap = U(addr), lp = U(&alen);

	(void)state;
	assert_int_equal(chain_readv(c, 3, iov, 2).op, 0);
	assert_int_equal(chain_writev(c, 4, iov, 1).op, 1);
	assert_int_equal(chain_fsync(c, 5).op, 2);
	assert_int_equal(chain_fdatasync(c, 6).op, 3);
	assert_int_equal(chain_fallocate(c, 7, FALLOC_FL_KEEP_SIZE, 100,
					 4096).op, 4);
	assert_int_equal(chain_fadvise64(c, 8, -1, 10, POSIX_FADV_DONTNEED).op,
			 5);
	assert_int_equal(chain_copy_file_range(c, 9, &off_in, 10, &off_out,
					       77, 0).op, 6);
	assert_int_equal(chain_fstat(c, 11, &st).op, 7);
	assert_int_equal(chain_newfstatat(c, AT_FDCWD, "p", &st,
					  AT_SYMLINK_NOFOLLOW).op, 8);
	assert_int_equal(chain_getdents64(c, 12, dents, sizeof(dents)).op, 9);
	assert_int_equal(chain_dup(c, 13).op, 10);
	assert_int_equal(chain_mkdirat(c, 14, "d", 0750).op, 11);
	assert_int_equal(chain_getuid(c).op, 12);
	assert_int_equal(chain_geteuid(c).op, 13);
	assert_int_equal(chain_getgid(c).op, 14);
	assert_int_equal(chain_getegid(c).op, 15);
	assert_int_equal(chain_sched_yield(c).op, 16);
	assert_int_equal(chain_sendto(c, 15, buf, 8, MSG_DONTWAIT, addr, 16).op,
			 17);
	assert_int_equal(chain_recvfrom(c, 16, buf, 7, MSG_PEEK, addr,
					&alen).op, 18);
	assert_int_equal(chain_clock_gettime(c, CLOCK_MONOTONIC, &ts).op, 19);
	assert_int_equal(chain_nanosleep(c, &ts, &rem).op, 20);
	assert_int_equal(chain_clock_nanosleep(c, CLOCK_REALTIME,
					       TIMER_ABSTIME, &ts, NULL).op,
			 21);
	/* a reference in any position, including the 6th argument */
	assert_int_equal(chain_copy_file_range(c, chain_res(10), NULL,
					       chain_res_add(10, 1), NULL,
					       chain_res_add(0, -3), 0).op, 22);
	assert_int_equal(chain_recvfrom(c, 16, buf, 7, 0, NULL,
					chain_res(21)).op, 23);
	assert_int_equal(chain_nr_ops(c), 24);

	check_op(c, 0, __NR_readv, 3, (uint64_t[]){ 3, ip, 2 });
	check_op(c, 1, __NR_writev, 3, (uint64_t[]){ 4, ip, 1 });
	check_op(c, 2, __NR_fsync, 1, (uint64_t[]){ 5 });
	check_op(c, 3, __NR_fdatasync, 1, (uint64_t[]){ 6 });
	check_op(c, 4, __NR_fallocate, 4,
		 (uint64_t[]){ 7, FALLOC_FL_KEEP_SIZE, 100, 4096 });
	check_op(c, 5, __NR_fadvise64, 4,
		 (uint64_t[]){ 8, (uint64_t)-1, 10, POSIX_FADV_DONTNEED });
	check_op(c, 6, __NR_copy_file_range, 6,
		 (uint64_t[]){ 9, U(&off_in), 10, U(&off_out), 77, 0 });
	check_op(c, 7, __NR_fstat, 2, (uint64_t[]){ 11, sp });
	assert_int_equal(c->ops[8].nr, __NR_newfstatat);
	assert_int_equal((int)c->ops[8].args[0], AT_FDCWD);
	assert_string_equal((const char *)(uintptr_t)c->ops[8].args[1], "p");
	assert_int_equal(c->ops[8].args[2], sp);
	assert_int_equal(c->ops[8].args[3], AT_SYMLINK_NOFOLLOW);
	assert_int_equal(c->ops[8].args[4], 0);
	assert_int_equal(c->ops[8].ref_mask, 0);
	check_op(c, 9, __NR_getdents64, 3,
		 (uint64_t[]){ 12, U(dents), sizeof(dents) });
	check_op(c, 10, __NR_dup, 1, (uint64_t[]){ 13 });
	assert_int_equal(c->ops[11].nr, __NR_mkdirat);
	assert_int_equal(c->ops[11].args[0], 14);
	assert_string_equal((const char *)(uintptr_t)c->ops[11].args[1], "d");
	assert_int_equal(c->ops[11].args[2], 0750);
	assert_int_equal(c->ops[11].args[3], 0);
	check_op(c, 12, __NR_getuid, 0, NULL);
	check_op(c, 13, __NR_geteuid, 0, NULL);
	check_op(c, 14, __NR_getgid, 0, NULL);
	check_op(c, 15, __NR_getegid, 0, NULL);
	check_op(c, 16, __NR_sched_yield, 0, NULL);
	check_op(c, 17, __NR_sendto, 6,
		 (uint64_t[]){ 15, bp, 8, MSG_DONTWAIT, ap, 16 });
	check_op(c, 18, __NR_recvfrom, 6,
		 (uint64_t[]){ 16, bp, 7, MSG_PEEK, ap, lp });
	check_op(c, 19, __NR_clock_gettime, 2,
		 (uint64_t[]){ CLOCK_MONOTONIC, tp });
	check_op(c, 20, __NR_nanosleep, 2, (uint64_t[]){ tp, rp });
	check_op(c, 21, __NR_clock_nanosleep, 4,
		 (uint64_t[]){ CLOCK_REALTIME, TIMER_ABSTIME, tp, 0 });
	/* op 22: refs in args 0, 2, 4 */
	assert_int_equal(c->ops[22].nr, __NR_copy_file_range);
	assert_int_equal(c->ops[22].ref_mask, (1 << 0) | (1 << 2) | (1 << 4));
	assert_int_equal(c->ops[22].arg_ref[0], 10);
	assert_int_equal(c->ops[22].args[0], 0);
	assert_int_equal(c->ops[22].arg_ref[2], 10);
	assert_int_equal(c->ops[22].args[2], 1);
	assert_int_equal(c->ops[22].arg_ref[4], 0);
	assert_int_equal(c->ops[22].args[4], (uint64_t)-3);
	assert_int_equal(c->ops[22].args[1], 0);
	assert_int_equal(c->ops[22].args[3], 0);
	assert_int_equal(c->ops[22].args[5], 0);
	/* op 23: a ref in the 6th argument */
	assert_int_equal(c->ops[23].ref_mask, 1 << 5);
	assert_int_equal(c->ops[23].arg_ref[5], 21);
	assert_int_equal(c->ops[23].args[5], 0);
	/* builders refuse a NULL chain and a reference to a later op */
	assert_int_equal(chain_readv(NULL, 0, iov, 1).op, -EINVAL);
	assert_int_equal(chain_clock_nanosleep(NULL, 0, 0, &ts, NULL).op,
			 -EINVAL);
	assert_int_equal(chain_dup(c, chain_res(24)).op, -EINVAL);
	assert_int_equal(chain_sendto(c, 1, buf, 1, 0, NULL, chain_res(30)).op,
			 -EINVAL);
	assert_int_equal(chain_nr_ops(c), 24);
	chain_free(c);
}

/* chain_syscall() with 0 to 6 arguments, values and references mixed */
static void test_syscall_generic(void **state)
{
	struct chain *c = new_user_chain();
	const struct syschain_op *op;

	(void)state;
	assert_int_equal(chain_syscall0(c, 500).op, 0);
	assert_int_equal(chain_syscall(c, 501, 1).op, 1);
	assert_int_equal(chain_syscall(c, 502, 1, 2).op, 2);
	assert_int_equal(chain_syscall(c, 503, 1, 2, 3).op, 3);
	assert_int_equal(chain_syscall(c, 504, 1, chain_res(0), 3, 4).op, 4);
	assert_int_equal(chain_syscall(c, 505, 1, 2, 3, 4,
				       chain_res_add(3, -7)).op, 5);
	assert_int_equal(chain_syscall(c, 506, chain_res_add(5, 9), 2, 3, 4,
				       5, 6).op, 6);
	for (int i = 0; i < 7; i++)
		assert_int_equal(c->ops[i].nr, 500 + i);
	op = &c->ops[3];
	assert_int_equal(op->args[0], 1);
	assert_int_equal(op->args[2], 3);
	assert_int_equal(op->args[3], 0);
	op = &c->ops[4];
	assert_int_equal(op->ref_mask, 1 << 1);
	assert_int_equal(op->arg_ref[1], 0);
	assert_int_equal(op->args[1], 0);
	assert_int_equal(op->args[3], 4);
	op = &c->ops[5];
	assert_int_equal(op->ref_mask, 1 << 4);
	assert_int_equal(op->arg_ref[4], 3);
	assert_int_equal(op->args[4], (uint64_t)-7);
	op = &c->ops[6];
	assert_int_equal(op->ref_mask, 1 << 0);
	assert_int_equal(op->arg_ref[0], 5);
	assert_int_equal(op->args[0], 9);
	assert_int_equal(op->args[5], 6);

	/* chain_op() with an array */
	{
		struct chain_arg a[7] = {
			CHAIN_ARG(1), CHAIN_ARG(chain_res(2)), CHAIN_ARG(3),
			CHAIN_ARG(4), CHAIN_ARG(5), CHAIN_ARG(6), CHAIN_ARG(7),
		};

		struct chain *bad = new_user_chain();

		/* refused, on a chain of their own: a refusal is remembered */
		assert_int_equal(chain_op(bad, 510, 7, a).op, -EINVAL);
		assert_int_equal(chain_op(bad, 510, 2, NULL).op, -EINVAL);
		assert_int_equal(chain_op(bad, -1, 0, NULL).op, -EINVAL);
		assert_int_equal(chain_nr_ops(bad), 0);
		chain_free(bad);
		assert_int_equal(chain_op(c, 510, 2, a).op, 7);
		assert_int_equal(c->ops[7].ref_mask, 2);
		assert_int_equal(c->ops[7].arg_ref[1], 2);
	}
	/* unsupported syscalls are encoded, and refused when run */
	assert_int_equal(chain_run(c), -EOPNOTSUPP);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(chain_report(c)->stop_op, 0);
	chain_free(c);
}

/* Conditions are grouped by op, in the order they were added. */
static void test_cond_encoding(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a, b;
	int l;

	(void)state;
	a = chain_getpid(c);
	b = chain_getpid(c);
	l = chain_label(c);
	assert_int_equal(l, 0);
	assert_int_equal(chain_stop_if(c, b, CHAIN_EQ, 5), 0);
	assert_int_equal(chain_jump_if(c, a, CHAIN_LT, -1, 2), 1);
	assert_int_equal(chain_goto_if(c, b, CHAIN_UGE, chain_res_add(a, 3),
				       l), 2);
	assert_int_equal(chain_stop_if_failed(c, a), 3);
	assert_int_equal(chain_goto(c, a, l), 4);
	chain_getpid(c);
	assert_int_equal(chain_label_here(c, l), 0);	/* after op 2: end */
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);		/* pid never 5 etc. */

	assert_int_equal(c->nc, 5);
	assert_int_equal(c->ops[a.op].cond_index, 0);
	assert_int_equal(c->ops[a.op].cond_count, 3);
	assert_int_equal(c->ops[b.op].cond_index, 3);
	assert_int_equal(c->ops[b.op].cond_count, 2);
	assert_int_equal(c->ops[2].cond_index, 0);
	assert_int_equal(c->ops[2].cond_count, 0);
	/* op a: jump_if LT -1 -> 2, stop_if_failed, goto label (end = 3) */
	assert_int_equal(c->conds[0].cmp, SYSCHAIN_CMP_LT);
	assert_int_equal(c->conds[0].action, SYSCHAIN_ACT_JUMP);
	assert_int_equal(c->conds[0].target, 2);
	assert_int_equal(c->conds[0].rhs, (uint64_t)-1);
	assert_int_equal(c->conds[1].cmp, SYSCHAIN_CMP_LT);
	assert_int_equal(c->conds[1].action, SYSCHAIN_ACT_STOP);
	assert_int_equal(c->conds[1].rhs, 0);
	assert_int_equal(c->conds[2].cmp, SYSCHAIN_CMP_ALWAYS);
	assert_int_equal(c->conds[2].target, 3);
	assert_int_equal(c->conds[2].flags, 0);
	/* op b: stop_if EQ 5, goto_if UGE res(a)+3 -> 3 */
	assert_int_equal(c->conds[3].cmp, SYSCHAIN_CMP_EQ);
	assert_int_equal(c->conds[3].action, SYSCHAIN_ACT_STOP);
	assert_int_equal(c->conds[3].target, 0);
	assert_int_equal(c->conds[3].rhs, 5);
	assert_int_equal(c->conds[4].cmp, SYSCHAIN_CMP_UGE);
	assert_int_equal(c->conds[4].flags, SYSCHAIN_COND_RHS_REF);
	assert_int_equal(c->conds[4].rhs_ref, a.op);
	assert_int_equal(c->conds[4].rhs, 3);
	assert_int_equal(c->conds[4].target, 3);
	/* op a's goto fired: ran a only */
	assert_int_equal(chain_count(c, a), 1);
	assert_int_equal(chain_count(c, b), 0);
	assert_int_equal(chain_report(c)->steps, 1);
	chain_free(c);
}

/* ------------------------------------------------------------------ */
/* Every builder, run on the user backend                               */
/* ------------------------------------------------------------------ */

static void test_builders_run(void **state)
{
	struct chain *c = new_user_chain();
	char rbuf[8] = { 0 }, pbuf[8] = { 0 }, out[64] = { 0 };
	char out_path[160];
	struct chain_handle o, r, s, p, w, pw, cl, o2, cl2, pid, ppid, tid;
	int fd;

	(void)state;
	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	o = chain_openat(c, AT_FDCWD, file_path, O_RDONLY | O_CLOEXEC, 0);
	s = chain_lseek(c, chain_res(o), 4, SEEK_SET);
	r = chain_read(c, chain_res(o), rbuf, 3);
	p = chain_pread64(c, chain_res(o), pbuf, 5, 30);
	cl = chain_close(c, chain_res(o));
	o2 = chain_openat(c, AT_FDCWD, out_path,
			  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	w = chain_write(c, chain_res(o2), rbuf, chain_res(r));
	pw = chain_pwrite64(c, chain_res(o2), pbuf, chain_res(p), 10);
	cl2 = chain_close(c, chain_res(o2));
	pid = chain_getpid(c);
	ppid = chain_getppid(c);
	tid = chain_gettid(c);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);

	assert_int_equal(chain_report(c)->steps, 12);
	assert_int_equal(chain_report(c)->stop_op, -1);
	assert_int_equal(chain_report(c)->stop_cond, -1);
	assert_true(chain_ret(c, o) >= 0);
	assert_int_equal(chain_ret(c, s), 4);
	assert_int_equal(chain_ret(c, r), 3);
	assert_memory_equal(rbuf, "456", 3);
	assert_int_equal(chain_ret(c, p), 5);
	assert_memory_equal(pbuf, "uvwxy", 5);
	assert_int_equal(chain_ret(c, cl), 0);
	assert_int_equal(chain_ret(c, w), 3);
	assert_int_equal(chain_ret(c, pw), 5);
	assert_int_equal(chain_ret(c, cl2), 0);
	assert_int_equal(chain_ret(c, pid), getpid());
	assert_int_equal(chain_ret(c, ppid), getppid());
	assert_int_equal(chain_ret(c, tid), gettid());
	for (int i = 0; i < 12; i++)
		assert_int_equal(chain_count(c, i), 1);
	/* the descriptor is closed: the next open gets the same number */
	fd = open(out_path, O_RDONLY);
	assert_int_equal(fd, chain_ret(c, o));
	assert_int_equal(read(fd, out, sizeof(out)), 15);
	assert_memory_equal(out, "456\0\0\0\0\0\0\0uvwxy", 15);
	close(fd);
	chain_free(c);
}

/* The second batch of builders, run on the user backend: files and dirs */
static void test_more_builders_run_fs(void **state)
{
	struct chain *c = new_user_chain();
	char b1[4], b2[6], dents[1024], sub[160], out2[160];
	struct iovec rv[2] = { { b1, sizeof(b1) }, { b2, sizeof(b2) } };
	struct iovec wv[2] = { { "abc", 3 }, { "defg", 4 } };
	struct stat st_w, st_f, st_l, st_d, st_m;
	long long off_in = 30;
	struct chain_handle o, d, w, rv_, wv_, fs, fds, fa, fad, cfr, fst;
	struct chain_handle sa, sl, se, sm, mk, gd, du, x;
	int n, seen = 0;
	char out[32];

	(void)state;
	snprintf(out2, sizeof(out2), "%s/out2", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	chain_set_stop_on_error(c, false);
	o = chain_openat(c, AT_FDCWD, file_path, O_RDONLY | O_CLOEXEC, 0);
	d = chain_openat(c, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			 0);
	w = chain_openat(c, AT_FDCWD, out2,
			 O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	rv_ = chain_readv(c, chain_res(o), rv, 2);
	wv_ = chain_writev(c, chain_res(w), wv, 2);
	fs = chain_fsync(c, chain_res(w));
	fds = chain_fdatasync(c, chain_res(w));
	fa = chain_fallocate(c, chain_res(w), FALLOC_FL_KEEP_SIZE, 0, 8192);
	fad = chain_fadvise64(c, chain_res(o), 0, 0, POSIX_FADV_SEQUENTIAL);
	cfr = chain_copy_file_range(c, chain_res(o), &off_in, chain_res(w),
				    NULL, 6, 0);
	fst = chain_fstat(c, chain_res(w), &st_w);
	sa = chain_newfstatat(c, AT_FDCWD, file_path, &st_f, 0);
	sl = chain_newfstatat(c, chain_res(d), "data", &st_l,
			      AT_SYMLINK_NOFOLLOW);
	se = chain_newfstatat(c, chain_res(d), "", &st_d, AT_EMPTY_PATH);
	sm = chain_newfstatat(c, chain_res(d), "missing", &st_m, 0);
	mk = chain_mkdirat(c, chain_res(d), "sub", 0700);
	gd = chain_getdents64(c, chain_res(d), dents, sizeof(dents));
	du = chain_dup(c, chain_res(w));
	x = chain_fsync(c, -1);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);

	assert_int_equal(chain_ret(c, rv_), 10);
	assert_memory_equal(b1, "0123", 4);
	assert_memory_equal(b2, "456789", 6);
	assert_int_equal(chain_ret(c, wv_), 7);
	assert_int_equal(chain_ret(c, fs), 0);
	assert_int_equal(chain_ret(c, fds), 0);
	/* fallocate is up to the host's /tmp: as the plain syscall says */
	n = open(out2, O_RDWR);
	assert_true(n >= 0);
	assert_int_equal(chain_ret(c, fa),
			 fallocate(n, FALLOC_FL_KEEP_SIZE, 0, 8192) ? -errno : 0);
	close(n);
	assert_int_equal(chain_ret(c, fad), 0);
	assert_int_equal(chain_ret(c, cfr), 6);
	assert_int_equal(off_in, 36);
	assert_int_equal(chain_ret(c, fst), 0);
	assert_int_equal(st_w.st_size, 13);	/* after writev and cfr */
	assert_int_equal(chain_ret(c, sa), 0);
	assert_int_equal(st_f.st_size, CONTENT_LEN);
	assert_true(S_ISREG(st_f.st_mode));
	assert_int_equal(chain_ret(c, sl), 0);
	assert_int_equal(st_l.st_ino, st_f.st_ino);
	assert_int_equal(chain_ret(c, se), 0);
	assert_true(S_ISDIR(st_d.st_mode));
	assert_int_equal(chain_ret(c, sm), -ENOENT);
	assert_int_equal(chain_ret(c, mk), 0);
	assert_int_equal(stat(sub, &st_m), 0);
	assert_true(S_ISDIR(st_m.st_mode));
	assert_int_equal(st_m.st_mode & 07777, 0700 & ~(unsigned)umask(022));
	umask(022);
	assert_true(chain_ret(c, gd) > 0);
	for (n = 0; n < chain_ret(c, gd);) {
		struct dirent64 *e = (struct dirent64 *)(dents + n);

		if (!strcmp(e->d_name, "data") && e->d_type == DT_REG)
			seen |= 1;
		if (!strcmp(e->d_name, "out2") && e->d_type == DT_REG)
			seen |= 2;
		if (!strcmp(e->d_name, "sub") && e->d_type == DT_DIR)
			seen |= 4;
		if (!strcmp(e->d_name, ".."))
			seen |= 8;
		n += e->d_reclen;
	}
	assert_int_equal(n, chain_ret(c, gd));
	assert_int_equal(seen, 15);
	/* dup: a new descriptor without FD_CLOEXEC, same open file */
	n = (int)chain_ret(c, du);
	assert_true(n > (int)chain_ret(c, w));
	assert_int_equal(fcntl(n, F_GETFD), 0);
	assert_int_equal(fcntl((int)chain_ret(c, w), F_GETFD), FD_CLOEXEC);
	assert_int_equal(lseek(n, 0, SEEK_CUR), 13);
	assert_int_equal(pread(n, out, sizeof(out), 0), 13);
	assert_memory_equal(out, "abcdefguvwxyz", 13);
	assert_int_equal(chain_ret(c, x), -EBADF);
	close(n);
	close((int)chain_ret(c, w));
	close((int)chain_ret(c, d));
	close((int)chain_ret(c, o));
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(unlink(out2), 0);
	chain_free(c);
}

/* ... sockets, ids, sched_yield and the time ops */
static void test_more_builders_run_misc(void **state)
{
	struct chain *c = new_user_chain();
	struct timespec t0, t1, ts, nap = { 0, 2000000 }, rem = { 7, 7 };
	struct timespec past = { 1, 0 }, bad = { 0, -1 };
	int ss[2], sd[2], alen = 64;
	struct chain_handle s1, r1, r2, s2, s3, r3, uid, euid, gid, egid, y;
	struct chain_handle cg, cgb, ns, cns, cnb;
	char buf[16] = { 0 }, dbuf[4] = { 0 }, addr[64];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				    ss), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0,
				    sd), 0);
	chain_set_stop_on_error(c, false);
	s1 = chain_sendto(c, ss[0], "ping", 4, MSG_DONTWAIT, NULL, 0);
	r1 = chain_recvfrom(c, ss[1], buf, sizeof(buf), MSG_DONTWAIT, addr,
			    &alen);
	r2 = chain_recvfrom(c, ss[1], buf, sizeof(buf), MSG_DONTWAIT, NULL,
			    NULL);
	s2 = chain_sendto(c, sd[0], "datagram", 8, 0, NULL, 0);
	s3 = chain_sendto(c, sd[0], "x", 1, MSG_NOSIGNAL, NULL, 0);
	r3 = chain_recvfrom(c, sd[1], dbuf, sizeof(dbuf), MSG_TRUNC, NULL,
			    NULL);
	uid = chain_getuid(c);
	euid = chain_geteuid(c);
	gid = chain_getgid(c);
	egid = chain_getegid(c);
	y = chain_sched_yield(c);
	cg = chain_clock_gettime(c, CLOCK_MONOTONIC, &ts);
	cgb = chain_clock_gettime(c, 12345, &ts);
	ns = chain_nanosleep(c, &nap, &rem);
	cns = chain_clock_nanosleep(c, CLOCK_MONOTONIC, TIMER_ABSTIME, &past,
				    NULL);
	cnb = chain_clock_nanosleep(c, CLOCK_MONOTONIC, 0, &bad, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	assert_int_equal(chain_ret(c, s1), 4);
	assert_int_equal(chain_ret(c, r1), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_true(alen >= 0 && alen <= 64);	/* unnamed peer */
	assert_int_equal(chain_ret(c, r2), -EAGAIN);
	assert_int_equal(chain_ret(c, s2), 8);
	assert_int_equal(chain_ret(c, s3), 1);
	assert_int_equal(chain_ret(c, r3), 8);	/* MSG_TRUNC: the real size */
	assert_memory_equal(dbuf, "data", 4);
	assert_int_equal(recv(sd[1], dbuf, sizeof(dbuf), MSG_DONTWAIT), 1);
	assert_int_equal(chain_ret(c, uid), getuid());
	assert_int_equal(chain_ret(c, euid), geteuid());
	assert_int_equal(chain_ret(c, gid), getgid());
	assert_int_equal(chain_ret(c, egid), getegid());
	assert_int_equal(chain_ret(c, y), 0);
	assert_int_equal(chain_ret(c, cg), 0);
	assert_true(ts.tv_sec > t0.tv_sec ||
		    (ts.tv_sec == t0.tv_sec && ts.tv_nsec >= t0.tv_nsec));
	assert_true(ts.tv_sec < t1.tv_sec ||
		    (ts.tv_sec == t1.tv_sec && ts.tv_nsec <= t1.tv_nsec));
	assert_int_equal(chain_ret(c, cgb), -EINVAL);
	assert_int_equal(chain_ret(c, ns), 0);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000000000LL +
		    (t1.tv_nsec - t0.tv_nsec) >= 2000000);
	assert_int_equal(rem.tv_sec, 7);	/* not interrupted: untouched */
	assert_int_equal(chain_ret(c, cns), 0);
	assert_int_equal(chain_ret(c, cnb), -EINVAL);
	close(ss[0]); close(ss[1]); close(sd[0]); close(sd[1]);
	chain_free(c);
}

/* An addend on a pointer: read into buf + (result of an earlier op). */
static void test_ref_addend(void **state)
{
	struct chain *c = new_user_chain();
	char buf[16];
	int pfd[2];
	struct chain_handle w, s, r, r2;

	(void)state;
	memset(buf, '.', sizeof(buf));
	assert_int_equal(pipe(pfd), 0);
	w = chain_write(c, pfd[1], "hello world", 11);
	/* lseek on a pipe fails with -ESPIPE: ignore it, use it as -29 */
	s = chain_lseek(c, pfd[0], 0, SEEK_CUR);
	chain_ignore_error(c, s);
	/* read 5 bytes at buf + 11 - 5 = buf + 6 */
	r = chain_read(c, pfd[0], chain_res_add(w, (int64_t)(uintptr_t)buf - 5),
		       chain_res_add(w, -6));
	/* read the rest to buf + (-ESPIPE) + ESPIPE + 0 */
	r2 = chain_read(c, pfd[0],
			chain_res_add(s, (int64_t)(uintptr_t)buf + ESPIPE),
			chain_res_add(r, 1));
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_ret(c, s), -ESPIPE);
	assert_int_equal(chain_ret(c, r), 5);
	assert_int_equal(chain_ret(c, r2), 6);
	assert_memory_equal(buf, " world", 6);
	assert_memory_equal(buf + 6, "hello", 5);
	assert_memory_equal(buf + 11, ".....", 5);
	close(pfd[0]);
	close(pfd[1]);
	chain_free(c);
}

/* ------------------------------------------------------------------ */
/* Handles                                                              */
/* ------------------------------------------------------------------ */

/*
 * A handle passed where an argument goes is that op's result, encoded
 * exactly as chain_res() of it: the descriptor an openat returned, the
 * count a read returned; never the op's index.
 */
static void test_handle_as_arg(void **state)
{
	struct chain *c = new_user_chain(), *cr = new_user_chain();
	struct chain_handle pid, o, r, w, w2, cl;
	char buf[64], out[2 * CONTENT_LEN + 8];
	int pfd[2], i, fd;

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pipe(pfd), 0);
	pid = chain_getpid(c);	/* no op's index is its result */
	o = chain_openat(c, AT_FDCWD, file_path, O_RDONLY | O_CLOEXEC, 0);
	r = chain_read(c, o, buf, sizeof(buf));
	w = chain_write(c, pfd[1], buf, r);
	w2 = chain_syscall(c, __NR_write, pfd[1], buf, r);
	cl = chain_close(c, o);
	assert_true(pid.op == 0 && o.op == 1 && r.op == 2 && w.op == 3 &&
		    w2.op == 4 && cl.op == 5);

	/* encoded as references without an addend... */
	assert_int_equal(c->ops[r.op].ref_mask, 1 << 0);
	assert_int_equal(c->ops[r.op].arg_ref[0], o.op);
	assert_int_equal(c->ops[r.op].args[0], 0);
	assert_int_equal(c->ops[r.op].args[1], U(buf));
	assert_int_equal(c->ops[w.op].ref_mask, 1 << 2);
	assert_int_equal(c->ops[w.op].arg_ref[2], r.op);
	assert_int_equal(c->ops[w.op].args[2], 0);
	assert_int_equal(c->ops[w.op].args[0], pfd[1]);
	assert_int_equal(c->ops[w2.op].ref_mask, 1 << 2);
	assert_int_equal(c->ops[w2.op].arg_ref[2], r.op);
	assert_int_equal(c->ops[cl.op].ref_mask, 1 << 0);
	assert_int_equal(c->ops[cl.op].arg_ref[0], o.op);
	/* ... the very ops chain_res() makes */
	chain_getpid(cr);
	chain_openat(cr, AT_FDCWD, file_path, O_RDONLY | O_CLOEXEC, 0);
	chain_read(cr, chain_res(1), buf, sizeof(buf));
	chain_write(cr, pfd[1], buf, chain_res(2));
	chain_syscall(cr, __NR_write, pfd[1], buf, chain_res(2));
	chain_close(cr, chain_res(1));
	assert_int_equal(chain_nr_ops(cr), chain_nr_ops(c));
	assert_memory_equal(cr->ops, c->ops,
			    chain_nr_ops(c) * sizeof(c->ops[0]));
	chain_free(cr);

	/* run twice: the second time after chain_set_arg() with a handle */
	for (i = 0; i < 2; i++) {
		run_ok(c, SYSCHAIN_STATUS_COMPLETED);
		fd = (int)chain_ret(c, o);
		assert_true(fd >= 0 && fd != o.op);
		assert_int_equal(chain_ret(c, r), CONTENT_LEN);
		/* as many bytes written as read, not r's index */
		assert_int_equal(chain_ret(c, w), CONTENT_LEN);
		assert_int_equal(chain_ret(c, w2), CONTENT_LEN);
		assert_int_equal(chain_ret(c, cl), 0);
		/* the close got the descriptor: it is closed */
		assert_int_equal(fcntl(fd, F_GETFD), -1);
		assert_int_equal(errno, EBADF);
		memset(out, 0, sizeof(out));
		assert_int_equal(read(pfd[0], out, sizeof(out)),
				 2 * CONTENT_LEN);
		assert_memory_equal(out, content, CONTENT_LEN);
		assert_memory_equal(out + CONTENT_LEN, content, CONTENT_LEN);

		/* a value in w2's count, then the handle again */
		assert_int_equal(chain_set_arg(c, w2, 2, 5), 0);
		assert_int_equal(c->ops[w2.op].ref_mask, 0);
		assert_int_equal(c->ops[w2.op].args[2], 5);
		assert_int_equal(chain_set_arg(c, w2, 2, r), 0);
		assert_int_equal(c->ops[w2.op].ref_mask, 1 << 2);
		assert_int_equal(c->ops[w2.op].arg_ref[2], r.op);
		assert_int_equal(c->ops[w2.op].args[2], 0);
	}
	close(pfd[0]);
	close(pfd[1]);
	chain_free(c);
}

/*
 * Where an op is named (chain_res_add(), chain_ret(), chain_result(),
 * chain_count(), the conditions, chain_ignore_error(), chain_set_arg()),
 * its handle and its index are the same thing: two chains, built once
 * with handles and once with indexes, encode, run and answer alike.
 */
static void test_handle_or_index(void **state)
{
	struct chain *ch = new_user_chain(), *ci = new_user_chain();
	struct chain_handle h[5], three = chain_handle_of(3);
	struct chain_handle none = chain_handle_of(-EINVAL);
	struct chain_ref rh, ri;
	struct chain_arg ah, ai;
	int64_t vh, vi;
	int i, oph, opi;

	(void)state;
	rh = chain_res_add(three, -7);
	ri = chain_res_add(3, -7);
	assert_int_equal(rh.op, 3);
	assert_int_equal(rh.addend, -7);
	assert_memory_equal(&rh, &ri, sizeof(rh));
	rh = chain_res(three);
	ri = chain_res(3);
	assert_memory_equal(&rh, &ri, sizeof(rh));
	ah = CHAIN_ARG(chain_res_add(three, 9));
	ai = CHAIN_ARG(chain_res_add(3, 9));
	assert_int_equal(ah.ref, 3);
	assert_int_equal(ah.value, 9);
	assert_memory_equal(&ah, &ai, sizeof(ah));
	/* the handle itself is chain_res() of it */
	ah = CHAIN_ARG(three);
	ai = CHAIN_ARG(chain_res(3));
	assert_memory_equal(&ah, &ai, sizeof(ah));

	/*
	 * getpid; lseek(-1) = -EBADF, ignored; getppid; lseek(op 1's result
	 * + EBADF - 1 = -1) = -EBADF, ignored, stops the chain as it equals
	 * op 1's; getpid, never run. Op 0 jumps to op 1 (the next op anyway).
	 */
	h[0] = chain_getpid(ch);
	h[1] = chain_lseek(ch, -1, 0, SEEK_CUR);
	h[2] = chain_getppid(ch);
	h[3] = chain_lseek(ch, chain_res_add(h[1], EBADF - 1), 0, SEEK_CUR);
	h[4] = chain_getpid(ch);
	assert_int_equal(chain_ignore_error(ch, h[1]), 0);
	assert_int_equal(chain_ignore_error(ch, h[3]), 0);
	assert_int_equal(chain_jump_if(ch, h[0], CHAIN_GT, 0, h[1]), 0);
	assert_int_equal(chain_stop_if(ch, h[3], CHAIN_EQ, h[1]), 1);

	assert_int_equal(chain_getpid(ci).op, 0);
	assert_int_equal(chain_lseek(ci, -1, 0, SEEK_CUR).op, 1);
	assert_int_equal(chain_getppid(ci).op, 2);
	assert_int_equal(chain_lseek(ci, chain_res_add(1, EBADF - 1), 0,
				     SEEK_CUR).op, 3);
	assert_int_equal(chain_getpid(ci).op, 4);
	assert_int_equal(chain_ignore_error(ci, 1), 0);
	assert_int_equal(chain_ignore_error(ci, 3), 0);
	assert_int_equal(chain_jump_if(ci, 0, CHAIN_GT, 0, 1), 0);
	assert_int_equal(chain_stop_if(ci, 3, CHAIN_EQ, chain_res(1)), 1);

	for (i = 0; i < 5; i++)
		assert_int_equal(h[i].op, i);
	assert_int_equal(chain_nr_ops(ch), 5);
	assert_int_equal(chain_nr_ops(ci), 5);
	assert_memory_equal(ch->ops, ci->ops, 5 * sizeof(ch->ops[0]));
	assert_int_equal(ch->nc, 2);
	assert_int_equal(ci->nc, 2);
	assert_memory_equal(ch->csrc, ci->csrc, 2 * sizeof(ch->csrc[0]));
	assert_int_equal(ch->csrc[1].cond.flags, SYSCHAIN_COND_RHS_REF);
	assert_int_equal(ch->csrc[1].cond.rhs_ref, 1);
	assert_int_equal(ch->csrc[0].cond.target, 1);

	/* before a run: not yet, the same way */
	assert_int_equal(chain_result(ch, h[0], &vh), -ENODATA);
	assert_int_equal(chain_result(ci, 0, &vi), -ENODATA);

	run_ok(ch, SYSCHAIN_STATUS_STOPPED);
	run_ok(ci, SYSCHAIN_STATUS_STOPPED);
	assert_memory_equal(chain_report(ch), chain_report(ci),
			    sizeof(struct chain_report));
	assert_int_equal(chain_report(ch)->stop_op, h[3].op);
	assert_int_equal(chain_report(ch)->stop_cond, 1);
	assert_memory_equal(ch->conds, ci->conds, 2 * sizeof(ch->conds[0]));
	for (i = 0; i < 5; i++) {
		int rh_ = chain_result(ch, h[i], &vh);

		/* each chain, by handle and by index, and across */
		assert_int_equal(rh_, chain_result(ch, i, &vi));
		if (!rh_)
			assert_int_equal(vh, vi);
		assert_int_equal(rh_, chain_result(ci, i, &vi));
		if (!rh_)
			assert_int_equal(vh, vi);
		assert_int_equal(rh_, i == 4 ? -ENODATA : 0);
		assert_int_equal(chain_ret(ch, h[i]), chain_ret(ch, i));
		assert_int_equal(chain_ret(ch, h[i]), chain_ret(ci, i));
		assert_int_equal(chain_count(ch, h[i]), chain_count(ch, i));
		assert_int_equal(chain_count(ch, h[i]), chain_count(ci, i));
		assert_int_equal(chain_count(ch, h[i]), i == 4 ? 0 : 1);
	}
	assert_int_equal(chain_ret(ch, h[0]), getpid());
	assert_int_equal(chain_ret(ch, h[2]), getppid());
	assert_int_equal(chain_ret(ch, h[1]), -EBADF);
	assert_int_equal(chain_ret(ch, h[3]), -EBADF);

	/* a failed builder's handle, or the same negative index */
	vh = vi = 12345;
	assert_int_equal(chain_ret(ch, none), -EINVAL);
	assert_int_equal(chain_ret(ch, -EINVAL), -EINVAL);
	assert_int_equal(chain_result(ch, none, &vh), -EINVAL);
	assert_int_equal(chain_result(ch, -EINVAL, &vi), -EINVAL);
	assert_true(vh == 12345 && vi == 12345);
	assert_int_equal(chain_count(ch, none), 0);
	assert_int_equal(chain_count(ch, -EINVAL), 0);
	/* past the end, as a handle or an index */
	assert_int_equal(chain_ret(ch, chain_handle_of(5)), -EINVAL);
	assert_int_equal(chain_result(ch, chain_handle_of(5), &vh), -EINVAL);
	assert_int_equal(chain_count(ch, chain_handle_of(5)), 0);
	assert_int_equal(chain_stop_if(ch, chain_handle_of(5), CHAIN_EQ, 0),
			 -EINVAL);
	assert_int_equal(chain_stop_if(ci, 5, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_build_error(ch, &oph), -EINVAL);
	assert_int_equal(chain_build_error(ci, &opi), -EINVAL);
	assert_int_equal(oph, 5);
	assert_int_equal(opi, 5);
	chain_free(ch);
	chain_free(ci);

	/* a condition on a failed handle: refused, remembered with no op */
	ch = new_user_chain();
	ci = new_user_chain();
	chain_getpid(ch);
	chain_getpid(ci);
	assert_int_equal(chain_stop_if(ch, none, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_stop_if(ci, -EINVAL, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_build_error(ch, &oph), -EINVAL);
	assert_int_equal(chain_build_error(ci, &opi), -EINVAL);
	assert_int_equal(oph, -1);
	assert_int_equal(opi, -1);
	assert_int_equal(ch->nc, 0);
	assert_int_equal(ci->nc, 0);
	chain_free(ch);
	chain_free(ci);
}

/*
 * A failed builder's handle passed on as an argument fails that builder
 * too (-EINVAL, whatever the first failure's errno), and adds no op; the
 * chain remembers the first failure of all, which chain_run() returns.
 */
static void test_failed_handle_arg(void **state)
{
	struct chain *c = new_user_chain(), *full = new_user_chain();
	struct chain_handle a, late, nul, big, h;
	char buf[8];
	unsigned int i;
	int op;

	(void)state;
	/* a reference to a later op: the first failure */
	a = chain_getpid(c);
	late = chain_close(c, chain_res(5));
	assert_int_equal(late.op, -EINVAL);
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, 1);
	/* late, in any argument, bare or with an addend */
	assert_int_equal(chain_read(c, late, buf, sizeof(buf)).op, -EINVAL);
	assert_int_equal(chain_read(c, 0, buf, late).op, -EINVAL);
	assert_int_equal(chain_read(c, 0, chain_res_add(late, U(buf)), 1).op,
			 -EINVAL);
	assert_int_equal(chain_syscall(c, __NR_close, late).op, -EINVAL);
	assert_int_equal(chain_stop_if(c, a, CHAIN_EQ, late), -EINVAL);
	assert_int_equal(chain_nr_ops(c), 1);
	assert_int_equal(c->nc, 0);
	/* a later failure of another kind does not replace it */
	assert_int_equal(chain_finally(c), 0);
	assert_int_equal(chain_finally(c), -EALREADY);
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, 1);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(chain_report(c)->stop_op, 1);
	assert_int_equal(chain_report(c)->steps, 0);
	assert_int_equal(chain_count(c, a), 0);

	/* a NULL chain's handle, after another failure: that one wins */
	chain_reset(c);
	nul = chain_getpid(NULL);
	assert_int_equal(nul.op, -EINVAL);
	assert_int_equal(chain_build_error(c, NULL), 0);
	a = chain_getpid(c);
	assert_int_equal(chain_finally(c), 0);
	assert_int_equal(chain_finally(c), -EALREADY);
	h = chain_close(c, nul);
	assert_int_equal(h.op, -EINVAL);
	assert_int_equal(chain_nr_ops(c), 1);
	assert_int_equal(chain_build_error(c, &op), -EALREADY);
	assert_int_equal(op, 1);
	assert_int_equal(chain_run(c), -EALREADY);
	assert_int_equal(chain_report(c)->stop_op, 1);

	/* ... and first: the NULL chain's handle fails the builder */
	chain_reset(c);
	a = chain_getpid(c);
	h = chain_write(c, 1, buf, nul);
	assert_int_equal(h.op, -EINVAL);
	assert_int_equal(chain_getppid(c).op, 1);	/* building goes on */
	assert_int_equal(chain_finally(c), 0);
	assert_int_equal(chain_finally(c), -EALREADY);
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, 1);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->stop_op, 1);
	assert_int_equal(chain_count(c, a), 0);

	/* a handle that failed with -E2BIG fails the next builder -EINVAL */
	for (i = 0; i < CHAIN_MAX_OPS; i++)
		chain_getppid(full);
	big = chain_getppid(full);
	assert_int_equal(big.op, -E2BIG);
	chain_reset(c);
	a = chain_getpid(c);
	h = chain_close(c, big);
	assert_int_equal(h.op, -EINVAL);
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, 1);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->stop_op, 1);
	/* even -EPERM, -1: not "no reference", so not a plain value */
	h = chain_close(c, chain_handle_of(-EPERM));
	assert_int_equal(h.op, -EINVAL);
	h = chain_close(c, chain_res_add(chain_handle_of(-EPERM), 3));
	assert_int_equal(h.op, -EINVAL);
	assert_int_equal(chain_nr_ops(c), 1);

	/* reset forgets it all: a good chain runs */
	chain_reset(c);
	a = chain_getpid(c);
	assert_int_equal(chain_build_error(c, &op), 0);
	assert_int_equal(op, -1);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_ret(c, a), getpid());
	chain_free(full);
	chain_free(c);
}

/* ------------------------------------------------------------------ */
/* Misuse                                                               */
/* ------------------------------------------------------------------ */

static void nop_handler(struct chain *c, int op, int64_t res, void *arg)
{
	(void)c; (void)op; (void)res; (void)arg;
}

static void test_null_chain(void **state)
{
	char b[1];

	(void)state;
	assert_int_equal(chain_new(NULL), -EINVAL);
	chain_free(NULL);
	chain_reset(NULL);
	assert_int_equal(chain_run(NULL), -EINVAL);
	assert_int_equal(chain_read(NULL, 0, b, 1).op, -EINVAL);
	assert_int_equal(chain_getpid(NULL).op, -EINVAL);
	assert_int_equal(chain_syscall(NULL, 1, 2).op, -EINVAL);
	assert_int_equal(chain_set_backend(NULL, CHAIN_BACKEND_USER), -EINVAL);
	assert_int_equal(chain_set_stop_on_error(NULL, false), -EINVAL);
	assert_int_equal(chain_set_max_steps(NULL, 3), -EINVAL);
	assert_int_equal(chain_nr_ops(NULL), 0);
	assert_int_equal(chain_stop_if(NULL, 0, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_jump_if(NULL, 0, CHAIN_EQ, 0, 0), -EINVAL);
	assert_int_equal(chain_goto(NULL, 0, 0), -EINVAL);
	assert_int_equal(chain_label(NULL), -EINVAL);
	assert_int_equal(chain_label_here(NULL, 0), -EINVAL);
	assert_int_equal(chain_ignore_error(NULL, 0), -EINVAL);
	assert_int_equal(chain_set_arg(NULL, 0, 0, 1), -EINVAL);
	assert_int_equal(chain_on_stop(NULL, 0, nop_handler, NULL), -EINVAL);
	assert_int_equal(chain_ret(NULL, 0), -EINVAL);
	assert_int_equal(chain_count(NULL, 0), 0);
	assert_null(chain_report(NULL));
	assert_int_equal(chain_probe(NULL), -EINVAL);
}

static void test_bad_indexes(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a, bad;
	int op;

	(void)state;
	assert_int_equal(chain_run(c), -EINVAL);	/* empty chain */
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	a = chain_getpid(c);
	/* references to the op itself or a later one */
	assert_int_equal(chain_close(c, chain_res(1)).op, -EINVAL);
	assert_int_equal(chain_close(c, chain_res(5)).op, -EINVAL);
	assert_int_equal(chain_nr_ops(c), 1);
	/* a builder's error passed on as a reference is refused too */
	bad = chain_close(c, chain_res(7));
	assert_int_equal(bad.op, -EINVAL);
	assert_int_equal(chain_close(c, chain_res(bad)).op, -EINVAL);
	assert_int_equal(chain_close(c, chain_res_add(-1, 3)).op, -EINVAL);
	assert_int_equal(chain_stop_if(c, a, CHAIN_EQ, chain_res(bad)),
			 -EINVAL);
	assert_int_equal(chain_nr_ops(c), 1);
	/* conditions, handlers, flags on ops that do not exist */
	assert_int_equal(chain_stop_if(c, 1, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_stop_if(c, -1, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_stop_if(c, bad, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_jump_if(c, a, CHAIN_EQ, 0, -1), -EINVAL);
	assert_int_equal(chain_goto(c, a, 0), -EINVAL);	/* no label 0 */
	assert_int_equal(chain_ignore_error(c, 1), -EINVAL);
	assert_int_equal(chain_on_stop(c, 1, nop_handler, NULL), -EINVAL);
	assert_int_equal(chain_on_stop(c, -3, nop_handler, NULL), -EINVAL);
	assert_int_equal(chain_set_arg(c, 1, 0, 0), -EINVAL);
	assert_int_equal(chain_set_arg(c, a, 6, 0), -EINVAL);
	assert_int_equal(chain_label_here(c, 0), -EINVAL);
	assert_int_equal(chain_label_here(c, -1), -EINVAL);
	assert_int_equal(chain_ret(c, 1), -EINVAL);
	assert_int_equal(chain_ret(c, -1), -EINVAL);
	assert_int_equal(chain_count(c, 1), 0);
	/* bad comparisons */
	assert_int_equal(chain_stop_if(c, a, (enum chain_cmp)0, 0), -EINVAL);
	assert_int_equal(chain_stop_if(c, a, (enum chain_cmp)99, 0), -EINVAL);
	assert_int_equal(chain_stop_if(c, a, CHAIN_ALWAYS, 1), -EINVAL);
	assert_int_equal(chain_stop_if(c, a, CHAIN_ALWAYS, chain_res(a)),
			 -EINVAL);
	assert_int_equal(chain_set_backend(c, (enum chain_backend)3), -EINVAL);
	assert_int_equal(c->nc, 0);
	/*
	 * None of the above changed the chain, but the first refusal (the
	 * close that would have been op 1) is remembered: the chain does
	 * not run, and says why, until it is reset.
	 */
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, 1);
	assert_int_equal(chain_build_error(c, NULL), -EINVAL);
	assert_int_equal(chain_build_error(NULL, &op), -EINVAL);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(chain_report(c)->stop_op, 1);
	assert_int_equal(chain_report(c)->steps, 0);
	assert_int_equal(chain_count(c, a), 0);
	chain_reset(c);
	assert_int_equal(chain_build_error(c, &op), 0);
	assert_int_equal(op, -1);
	a = chain_getpid(c);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_ret(c, a), getpid());
	/* a refused chain_set_arg() leaves the argument, and is not remembered */
	assert_int_equal(chain_set_arg(c, a, 6, 0), -EINVAL);
	assert_int_equal(chain_build_error(c, NULL), 0);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	chain_free(c);
}

/*
 * Each kind of building call's refusal is remembered with its op: the
 * first one wins, and chain_run() returns its errno and names its op.
 */
static void test_build_error_sticky(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a;
	int op;

	(void)state;
	a = chain_getpid(c);
	assert_int_equal(chain_stop_if(c, 4, CHAIN_EQ, 0), -EINVAL);
	assert_int_equal(chain_getppid(c).op, 1);	/* building goes on */
	assert_int_equal(chain_ignore_error(c, 9), -EINVAL);
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, 4);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->stop_op, 4);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_USER);

	chain_reset(c);
	a = chain_getpid(c);
	assert_int_equal(chain_finally(c), 0);
	assert_int_equal(chain_finally(c), -EALREADY);
	assert_int_equal(chain_run(c), -EALREADY);
	assert_int_equal(chain_report(c)->stop_op, 1);

	/* a cleanup op takes no condition */
	chain_reset(c);
	assert_int_equal(chain_finally(c), 0);
	a = chain_getpid(c);
	assert_int_equal(chain_stop_if_failed(c, a), -EINVAL);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->stop_op, a.op);

	chain_reset(c);
	a = chain_getpid(c);
	assert_int_equal(chain_on_stop(c, -2, nop_handler, NULL), -EINVAL);
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, -1);	/* a negative index is no op */
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->stop_op, -1);

	/* a jump to a label that does not exist */
	chain_reset(c);
	a = chain_getpid(c);
	assert_int_equal(chain_goto_if(c, a, CHAIN_GT, 0, 7), -EINVAL);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->stop_op, a.op);

	chain_reset(c);
	a = chain_getpid(c);
	assert_int_equal(chain_label_here(c, 3), -EINVAL);
	assert_int_equal(chain_build_error(c, &op), -EINVAL);
	assert_int_equal(op, 1);
	assert_int_equal(chain_count(c, a), 0);
	chain_free(c);
}

static void test_jump_out_of_range(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a;

	(void)state;
	a = chain_getpid(c);
	chain_getpid(c);
	assert_int_equal(chain_jump_if(c, a, CHAIN_GT, 0, 2), 0); /* = end */
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_count(c, 1), 0);
	assert_int_equal(chain_jump_if(c, 1, CHAIN_GT, 0, 3), 1);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(chain_report(c)->stop_cond, 1);
	assert_int_equal(chain_report(c)->steps, 0);
	/* the failed run left no results of the earlier one */
	assert_int_equal(chain_count(c, a), 0);
	assert_int_equal(chain_ret(c, a), 0);
	/* a condition's rhs may name any op, but not one past the end */
	chain_reset(c);
	a = chain_getpid(c);
	assert_int_equal(chain_stop_if(c, a, CHAIN_EQ, chain_res(4)), 0);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->stop_cond, 0);
	chain_free(c);
}

static void test_unplaced_label(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a;
	int l, l2;

	(void)state;
	l = chain_label(c);
	l2 = chain_label(c);
	assert_int_equal(l2, l + 1);
	a = chain_getpid(c);
	assert_int_equal(chain_goto_if(c, a, CHAIN_GT, 0, l), 0);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(chain_count(c, a), 0);
	/* placing it fixes the chain; an unused unplaced label is fine */
	chain_getpid(c);
	assert_int_equal(chain_label_here(c, l), 0);
	chain_getpid(c);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_count(c, 0), 1);
	assert_int_equal(chain_count(c, 1), 0);
	assert_int_equal(chain_count(c, 2), 1);
	chain_free(c);
}

static void test_too_many_ops(void **state)
{
	struct chain *c = new_user_chain();
	unsigned int i;

	(void)state;
	for (i = 0; i < CHAIN_MAX_OPS; i++)
		assert_int_equal(chain_getppid(c).op, (int)i);
	/* a chain that big runs on the user backend */
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_getppid(c).op, -E2BIG);
	assert_int_equal(chain_syscall(c, __NR_close, 1).op, -E2BIG);
	assert_int_equal(chain_nr_ops(c), CHAIN_MAX_OPS);
	/* not one op more: the op that did not fit is remembered */
	assert_int_equal(chain_run(c), -E2BIG);
	assert_int_equal(chain_report(c)->stop_op, CHAIN_MAX_OPS);
	assert_int_equal(chain_ret(c, CHAIN_MAX_OPS - 1), 0);
	chain_reset(c);
	for (i = 0; i < CHAIN_MAX_OPS; i++)
		assert_int_equal(chain_getppid(c).op, (int)i);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_report(c)->steps, CHAIN_MAX_OPS);
	assert_int_equal(chain_ret(c, CHAIN_MAX_OPS - 1), getppid());
	/* reset empties it; it can be refilled */
	chain_reset(c);
	assert_int_equal(chain_nr_ops(c), 0);
	assert_int_equal(chain_getppid(c).op, 0);
	chain_free(c);
}

/* ------------------------------------------------------------------ */
/* Control flow                                                         */
/* ------------------------------------------------------------------ */

/* A loop reading one byte at a time until EOF, counted by the engine. */
static void test_loop_with_label(void **state)
{
	struct chain *c = new_user_chain();
	char b;
	struct chain_handle o, rd, cl;
	int done;

	(void)state;
	done = chain_label(c);
	o = chain_openat(c, AT_FDCWD, file_path, O_RDONLY, 0);
	rd = chain_read(c, chain_res(o), &b, 1);
	chain_goto_if(c, rd, CHAIN_EQ, 0, done);
	chain_jump_if(c, rd, CHAIN_EQ, 1, rd);
	chain_getpid(c);			/* never reached */
	chain_label_here(c, done);
	cl = chain_close(c, chain_res(o));
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_count(c, rd), CONTENT_LEN + 1);
	assert_int_equal(chain_ret(c, rd), 0);
	assert_int_equal(chain_count(c, 2), 0);
	assert_int_equal(chain_ret(c, cl), 0);
	assert_int_equal(chain_report(c)->steps, CONTENT_LEN + 3);
	assert_int_equal(b, 'z');
	chain_free(c);
}

static void test_budget(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a, b;
	int top;

	(void)state;
	top = chain_label(c);
	chain_label_here(c, top);
	a = chain_getpid(c);
	b = chain_gettid(c);
	chain_goto(c, b, top);
	assert_int_equal(chain_set_max_steps(c, 7), 0);
	run_ok(c, SYSCHAIN_STATUS_BUDGET);
	assert_int_equal(chain_report(c)->steps, 7);
	assert_int_equal(chain_report(c)->stop_op, b.op);
	assert_int_equal(chain_report(c)->stop_cond, -1);
	assert_int_equal(chain_count(c, a), 4);
	assert_int_equal(chain_count(c, b), 3);
	/* the library's cap applies with 0 (no module on the host) */
	assert_int_equal(chain_set_max_steps(c, 0), 0);
	run_ok(c, SYSCHAIN_STATUS_BUDGET);
	assert_int_equal(chain_report(c)->steps, CHAIN_DEFAULT_STEPS);
	chain_free(c);
}

/* Every comparison, signed and unsigned, on a known result. */
static void test_comparisons(void **state)
{
	static const struct {
		enum chain_cmp cmp;
		int64_t rhs;
		bool holds;	/* for a result of -9 */
	} t[] = {
		{ CHAIN_EQ, -9, true }, { CHAIN_EQ, 9, false },
		{ CHAIN_NE, -9, false }, { CHAIN_NE, 0, true },
		{ CHAIN_LT, 0, true }, { CHAIN_LT, -9, false },
		{ CHAIN_LE, -9, true }, { CHAIN_LE, -10, false },
		{ CHAIN_GT, -10, true }, { CHAIN_GT, 0, false },
		{ CHAIN_GE, -9, true }, { CHAIN_GE, -8, false },
		{ CHAIN_ULT, 0, false }, { CHAIN_ULT, -8, true },
		{ CHAIN_ULE, -9, true }, { CHAIN_ULE, 5, false },
		{ CHAIN_UGT, 5, true }, { CHAIN_UGT, -1, false },
		{ CHAIN_UGE, -9, true }, { CHAIN_UGE, -8, false },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct chain *c = new_user_chain();
		struct chain_handle a, b;

		/* lseek(-1, ...) fails with -EBADF (-9) */
		a = chain_lseek(c, -1, 0, SEEK_CUR);
		b = chain_getpid(c);
		assert_int_equal(chain_stop_if(c, a, t[i].cmp, t[i].rhs), 0);
		chain_ignore_error(c, a);
		run_ok(c, t[i].holds ? SYSCHAIN_STATUS_STOPPED :
		       SYSCHAIN_STATUS_COMPLETED);
		assert_int_equal(chain_ret(c, a), -EBADF);
		assert_int_equal(chain_count(c, b), t[i].holds ? 0 : 1);
		if (t[i].holds) {
			assert_int_equal(chain_report(c)->stop_op, a.op);
			assert_int_equal(chain_report(c)->stop_cond, 0);
		}
		chain_free(c);
	}
}

/* rhs references: resolved against the latest result, or unresolved */
static void test_cond_rhs_ref(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a, b, d;

	(void)state;
	a = chain_getpid(c);
	b = chain_getpid(c);
	assert_int_equal(chain_stop_if(c, b, CHAIN_EQ, chain_res(a)), 0);
	chain_getpid(c);
	run_ok(c, SYSCHAIN_STATUS_STOPPED);
	assert_int_equal(chain_report(c)->stop_op, b.op);
	assert_int_equal(chain_report(c)->steps, 2);

	/* an rhs naming an op that has not run: unresolved */
	chain_reset(c);
	a = chain_getpid(c);
	assert_int_equal(chain_stop_if(c, a, CHAIN_EQ, chain_res(1)), 0);
	chain_getpid(c);
	run_ok(c, SYSCHAIN_STATUS_UNRESOLVED);
	assert_int_equal(chain_report(c)->stop_op, a.op);
	assert_int_equal(chain_report(c)->stop_cond, 0);

	/* an argument naming an op jumped over: unresolved */
	chain_reset(c);
	a = chain_getpid(c);
	b = chain_getpid(c);
	d = chain_lseek(c, chain_res(b), 0, SEEK_CUR);
	chain_jump_if(c, a, CHAIN_ALWAYS, 0, d);
	run_ok(c, SYSCHAIN_STATUS_UNRESOLVED);
	assert_int_equal(chain_report(c)->stop_op, d.op);
	assert_int_equal(chain_report(c)->stop_cond, -1);
	assert_int_equal(chain_count(c, b), 0);
	assert_int_equal(chain_count(c, d), 0);
	chain_free(c);
}

/* ------------------------------------------------------------------ */
/* Errors: stop-on-error, chain_ignore_error                            */
/* ------------------------------------------------------------------ */

static void test_stop_on_error(void **state)
{
	struct chain *c = new_user_chain();
	struct chain_handle a, b, d;

	(void)state;
	a = chain_getpid(c);
	b = chain_close(c, -1);
	d = chain_getpid(c);
	run_ok(c, SYSCHAIN_STATUS_FAILED);		/* the default */
	assert_int_equal(chain_report(c)->stop_op, b.op);
	assert_int_equal(chain_report(c)->stop_cond, -1);
	assert_int_equal(chain_ret(c, b), -EBADF);
	assert_int_equal(chain_count(c, a), 1);
	assert_int_equal(chain_count(c, d), 0);

	/* a condition that fires takes precedence over the error */
	assert_int_equal(chain_jump_if(c, b, CHAIN_EQ, -EBADF, d), 0);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_count(c, d), 1);
	chain_reset(c);

	a = chain_close(c, -1);
	b = chain_close(c, -2);
	d = chain_getpid(c);
	assert_int_equal(chain_ignore_error(c, a), 0);
	run_ok(c, SYSCHAIN_STATUS_FAILED);
	assert_int_equal(chain_report(c)->stop_op, b.op);
	assert_int_equal(c->ops[a.op].flags, SYSCHAIN_OP_IGNORE_ERROR);
	assert_int_equal(c->ops[b.op].flags, 0);

	assert_int_equal(chain_set_stop_on_error(c, false), 0);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_ret(c, a), -EBADF);
	assert_int_equal(chain_ret(c, b), -EBADF);
	assert_int_equal(chain_ret(c, d), getpid());
	/* reset keeps the settings */
	chain_reset(c);
	chain_close(c, -1);
	chain_getpid(c);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	chain_free(c);
}

/* ------------------------------------------------------------------ */
/* Handlers                                                             */
/* ------------------------------------------------------------------ */

struct hcall {
	int calls;
	int op;
	int64_t result;
	struct chain *chain;
};

static void record(struct chain *c, int op, int64_t result, void *arg)
{
	struct hcall *h = arg;

	h->calls++;
	h->op = op;
	h->result = result;
	h->chain = c;
}

static void test_handlers(void **state)
{
	struct chain *c = new_user_chain();
	struct hcall ha = { 0 }, hb = { 0 }, hc = { 0 };
	struct chain_handle a, b, d;
	int top;

	(void)state;
	top = chain_label(c);
	chain_label_here(c, top);
	a = chain_lseek(c, -1, 0, SEEK_CUR);
	b = chain_getpid(c);
	d = chain_close(c, -1);
	chain_ignore_error(c, a);
	chain_on_stop(c, a, record, &ha);
	chain_on_stop(c, b, record, &hb);
	chain_on_stop(c, d, record, &hc);

	/* failed at d: d's handler only, with d's result */
	run_ok(c, SYSCHAIN_STATUS_FAILED);
	assert_int_equal(ha.calls + hb.calls, 0);
	assert_int_equal(hc.calls, 1);
	assert_int_equal(hc.op, d.op);
	assert_int_equal(hc.result, -EBADF);
	assert_ptr_equal(hc.chain, c);

	/* stopped by a condition at b */
	chain_stop_if(c, b, CHAIN_EQ, getpid());
	run_ok(c, SYSCHAIN_STATUS_STOPPED);
	assert_int_equal(hb.calls, 1);
	assert_int_equal(hb.op, b.op);
	assert_int_equal(hb.result, getpid());
	assert_int_equal(ha.calls + hc.calls - 1, 0);

	/* completed: no handler; removing a handler with NULL */
	chain_reset(c);
	memset(&ha, 0, sizeof(ha));
	a = chain_getpid(c);
	chain_on_stop(c, a, record, &ha);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(ha.calls, 0);
	chain_stop_if(c, a, CHAIN_GT, 0);
	assert_int_equal(chain_on_stop(c, a, NULL, NULL), 0);
	run_ok(c, SYSCHAIN_STATUS_STOPPED);
	assert_int_equal(ha.calls, 0);
	chain_on_stop(c, a, record, &ha);
	run_ok(c, SYSCHAIN_STATUS_STOPPED);
	assert_int_equal(ha.calls, 1);

	/* budget and unresolved stops are not "stopped at that op" */
	chain_reset(c);
	memset(&ha, 0, sizeof(ha));
	top = chain_label(c);
	chain_label_here(c, top);
	a = chain_getpid(c);
	chain_goto(c, a, top);
	chain_on_stop(c, a, record, &ha);
	chain_set_max_steps(c, 3);
	run_ok(c, SYSCHAIN_STATUS_BUDGET);
	assert_int_equal(ha.calls, 0);
	chain_set_max_steps(c, 0);
	chain_free(c);
}

/* ------------------------------------------------------------------ */
/* Reuse                                                                */
/* ------------------------------------------------------------------ */

static void test_reuse_set_arg(void **state)
{
	struct chain *c = new_user_chain();
	char b1[8] = { 0 }, b2[8] = { 0 };
	int p1[2], p2[2];
	struct chain_handle r, w;

	(void)state;
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	assert_int_equal(write(p1[1], "abc", 3), 3);
	assert_int_equal(write(p2[1], "wxyz", 4), 4);
	r = chain_read(c, p1[0], b1, sizeof(b1));
	w = chain_write(c, p2[1], b1, chain_res(r));
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_ret(c, r), 3);
	assert_int_equal(chain_ret(c, w), 3);

	/* p2 now holds "wxyzabc": read it into b2, write it to p1 */
	assert_int_equal(chain_set_arg(c, r, 0, p2[0]), 0);
	assert_int_equal(chain_set_arg(c, r, 1, b2), 0);
	assert_int_equal(chain_set_arg(c, w, 0, p1[1]), 0);
	assert_int_equal(chain_set_arg(c, w, 1, b2), 0);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_ret(c, r), 7);
	assert_int_equal(chain_ret(c, w), 7);
	assert_memory_equal(b2, "wxyzabc", 7);
	assert_int_equal(chain_count(c, r), 1);	/* not accumulated */

	/* a value replaced by a reference and back; refs must point back */
	assert_int_equal(chain_set_arg(c, w, 2, chain_res_add(r, 1)), 0);
	assert_int_equal(chain_set_arg(c, r, 2, chain_res(w)), -EINVAL);
	assert_int_equal(chain_set_arg(c, r, 2, 2), 0);
	assert_int_equal(chain_set_arg(c, r, 0, p1[0]), 0);
	assert_int_equal(chain_set_arg(c, w, 0, p2[1]), 0);
	run_ok(c, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_ret(c, r), 2);
	assert_int_equal(chain_ret(c, w), 3);
	assert_memory_equal(b2, "wxyzabc", 7);
	chain_free(c);
	close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
}

/* ------------------------------------------------------------------ */
/* Backends                                                             */
/* ------------------------------------------------------------------ */

static void test_backends(void **state)
{
	struct chain *c = NULL;
	struct chain_probe p;
	struct chain_handle a;

	(void)state;
	if (access("/dev/syschain", F_OK) == 0)
		skip();		/* the host has the module: not this test */
	assert_int_equal(chain_new(&c), 0);
	a = chain_getpid(c);
	/* auto is the default and falls back to user */
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_USER);
	assert_int_equal(chain_ret(c, a), getpid());

	assert_int_equal(chain_set_backend(c, CHAIN_BACKEND_KERNEL), 0);
	assert_int_equal(chain_run(c), -ENOENT);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_KERNEL);
	assert_int_equal(chain_count(c, a), 0);

	assert_int_equal(chain_set_backend(c, CHAIN_BACKEND_AUTO), 0);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_USER);

	assert_int_equal(chain_probe(&p), -ENOENT);
	assert_false(chain_kernel_supports(__NR_read));
	assert_false(chain_kernel_supports(-1));
	chain_free(c);
}

/*
 * SYSCHAIN_BACKEND overrides the chain's backend. The library reads it
 * once per process, so each case runs in a fresh exec of this binary.
 */
static int env_child_main(const char *set)
{
	struct chain *c;
	int ret;

	if (chain_new(&c))
		return 100;
	chain_getpid(c);
	chain_set_backend(c, (enum chain_backend)atoi(set));
	ret = chain_run(c);
	if (!ret)
		ret = chain_run(c);	/* a second run: no second warning */
	if (!ret)
		ret = chain_report(c)->backend == CHAIN_BACKEND_USER ? 0 : -101;
	chain_free(c);
	return -ret;
}

/* the child's exit code; what it wrote to stderr into @err */
static int env_child(const char *env, enum chain_backend set, char *err,
		     size_t errlen)
{
	char arg[16], self[4096];
	int st, p[2];
	ssize_t n, got = 0;
	pid_t pid;

	snprintf(arg, sizeof(arg), "%d", (int)set);
	/*
	 * The test's own path, read before the fork: under valgrind,
	 * readlink() gives the test, while exec of /proc/self/exe would
	 * start valgrind's tool.
	 */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0 && n < (ssize_t)sizeof(self) - 1);
	self[n] = 0;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		setenv("SYSCHAIN_BACKEND", env, 1);
		execl(self, "test_libchain", "--env-child", arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got < (ssize_t)errlen - 1 &&
	       (n = read(p[0], err + got, errlen - 1 - (size_t)got)) > 0)
		got += n;
	err[got] = 0;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_env_backend(void **state)
{
	static const char warn[] = "libchain: SYSCHAIN_BACKEND=bogus is not "
				   "kernel, user or auto: ignored\n";
	char err[256];

	(void)state;
	if (access("/dev/syschain", F_OK) == 0)
		skip();
	assert_int_equal(env_child("kernel", CHAIN_BACKEND_USER, err,
				   sizeof(err)), ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(env_child("user", CHAIN_BACKEND_KERNEL, err,
				   sizeof(err)), 0);
	assert_int_equal(env_child("auto", CHAIN_BACKEND_KERNEL, err,
				   sizeof(err)), 0);
	assert_string_equal(err, "");
	/* ignored, and said so once, however many runs */
	assert_int_equal(env_child("bogus", CHAIN_BACKEND_KERNEL, err,
				   sizeof(err)), ENOENT);
	assert_string_equal(err, warn);
	assert_int_equal(env_child("bogus", CHAIN_BACKEND_USER, err,
				   sizeof(err)), 0);
	assert_string_equal(err, warn);
}

/* a chain that never ran says so; every run names its backend */
static void test_report_not_run(void **state)
{
	struct chain *c;

	(void)state;
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_report(c)->status, CHAIN_STATUS_NOT_RUN);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_AUTO);
	assert_int_equal(chain_report(c)->stop_op, -1);
	assert_string_equal(chain_status_str(chain_report(c)->status),
			    "not run");
	/* an empty chain is refused, by the backend that was to run it */
	chain_set_backend(c, CHAIN_BACKEND_USER);
	assert_int_equal(chain_run(c), -EINVAL);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_USER);
	assert_true(chain_getpid(c).op >= 0);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_USER);
	chain_reset(c);
	assert_int_equal(chain_report(c)->status, CHAIN_STATUS_NOT_RUN);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_AUTO);
	/* auto, and no device here: plain syscalls, named as such */
	chain_set_backend(c, CHAIN_BACKEND_AUTO);
	assert_true(chain_getppid(c).op >= 0);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->backend,
			 access("/dev/syschain", F_OK) == 0 ?
			 CHAIN_BACKEND_KERNEL : CHAIN_BACKEND_USER);
	chain_free(c);
}

/* chain_result() tells an op's result from a bad index and from "not run" */
static void test_result_accessor(void **state)
{
	struct chain *c;
	int64_t v = 12345;
	struct chain_handle a, b;

	(void)state;
	assert_int_equal(chain_new(&c), 0);
	chain_set_backend(c, CHAIN_BACKEND_USER);
	a = chain_close(c, -1);				/* -EBADF */
	b = chain_getpid(c);				/* never runs */
	assert_true(a.op == 0 && b.op == 1);
	assert_int_equal(chain_result(c, a, &v), -ENODATA);	/* not yet */
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_FAILED);
	assert_int_equal(chain_result(c, a, &v), 0);
	assert_int_equal(v, -EBADF);
	/* chain_ret() cannot tell these apart; chain_result() can */
	assert_int_equal(chain_ret(c, a), -EBADF);
	assert_int_equal(chain_ret(c, 7), -EINVAL);
	v = 12345;
	assert_int_equal(chain_result(c, b, &v), -ENODATA);
	assert_int_equal(chain_result(c, 7, &v), -EINVAL);
	assert_int_equal(chain_result(c, -1, &v), -EINVAL);
	assert_int_equal(chain_result(c, a, NULL), -EINVAL);
	assert_int_equal(chain_result(NULL, a, &v), -EINVAL);
	assert_int_equal(v, 12345);			/* untouched */
	chain_free(c);
}

/* an argument number past the op's arguments is refused when set */
static void test_set_arg_argno(void **state)
{
	struct chain *c;
	char buf[8];
	struct chain_handle p, r, s;

	(void)state;
	assert_int_equal(chain_new(&c), 0);
	p = chain_getpid(c);
	r = chain_read(c, 0, buf, sizeof(buf));
	s = chain_syscall(c, __NR_getppid, 1, 2);
	assert_int_equal(chain_set_arg(c, p, 0, 1), -EINVAL);
	assert_int_equal(chain_set_arg(c, r, 2, 4), 0);
	assert_int_equal(chain_set_arg(c, r, 3, 4), -EINVAL);
	assert_int_equal(chain_set_arg(c, r, SYSCHAIN_MAX_ARGS, 4), -EINVAL);
	assert_int_equal(chain_set_arg(c, s, 1, 9), 0);
	assert_int_equal(chain_set_arg(c, s, 2, 9), -EINVAL);
	chain_free(c);
}

/* the op names, both ways, for every op of the list */
static void test_op_names(void **state)
{
	static const struct {
		long nr;
		const char *name;
	} ops[] = {
#define SC_OP(sys, n, chk, ...) { __NR_##sys, #sys },
#include "oplist.h"
#undef SC_OP
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		assert_string_equal(chain_op_name(ops[i].nr), ops[i].name);
		assert_int_equal(chain_op_nr(ops[i].name), ops[i].nr);
	}
	assert_string_equal(chain_op_name(__NR_read), "read");
	assert_int_equal(chain_op_nr("openat"), __NR_openat);
	assert_null(chain_op_name(__NR_execve));	/* not an op */
	assert_null(chain_op_name(-1));
	assert_int_equal(chain_op_nr("execve"), -ENOENT);
	assert_int_equal(chain_op_nr(""), -ENOENT);
	assert_int_equal(chain_op_nr(NULL), -EINVAL);
}

static void test_status_str(void **state)
{
	(void)state;
	assert_string_equal(chain_status_str(SYSCHAIN_STATUS_COMPLETED),
			    "completed");
	assert_string_equal(chain_status_str(SYSCHAIN_STATUS_STOPPED),
			    "stopped");
	assert_string_equal(chain_status_str(SYSCHAIN_STATUS_FAILED),
			    "failed");
	assert_string_equal(chain_status_str(SYSCHAIN_STATUS_DENIED),
			    "denied");
	for (uint32_t s = 0; s <= SYSCHAIN_STATUS_DENIED; s++) {
		assert_non_null(chain_status_str(s));
		assert_string_not_equal(chain_status_str(s), "unknown");
	}
	assert_string_equal(chain_status_str(SYSCHAIN_STATUS_DENIED + 1),
			    "unknown");
	assert_string_equal(chain_status_str(UINT32_MAX - 1), "unknown");
	assert_string_equal(chain_status_str(CHAIN_STATUS_NOT_RUN), "not run");
}

/*
 * chain_finally(): open, then a read that fails (a directory), then the
 * close as cleanup: the failed chains leave no descriptor behind, and
 * the report is the read's failure.
 */
static void test_finally_closes(void **state)
{
	struct chain *c;
	char buf[16];
	struct chain_handle o, r, x;
	int before, i;

	(void)state;
	assert_int_equal(chain_new(&c), 0);
	chain_set_backend(c, CHAIN_BACKEND_USER);
	o = chain_openat(c, AT_FDCWD, "/", O_RDONLY | O_CLOEXEC, 0);
	r = chain_read(c, chain_res(o), buf, sizeof(buf));
	assert_int_equal(chain_finally(c), 0);
	x = chain_close(c, chain_res(o));
	assert_true(o.op == 0 && r.op == 1 && x.op == 2);
	before = fd_count();
	for (i = 0; i < 1000; i++) {
		assert_int_equal(chain_run(c), 0);
		assert_int_equal(chain_report(c)->status,
				 SYSCHAIN_STATUS_FAILED);
		assert_int_equal(chain_report(c)->stop_op, r.op);
		assert_int_equal(chain_ret(c, r), -EISDIR);
		assert_int_equal(chain_ret(c, x), 0);
		assert_int_equal(chain_count(c, x), 1);
	}
	assert_int_equal(fd_count(), before);
	/* without the cleanup, every run leaks one */
	chain_reset(c);
	o = chain_openat(c, AT_FDCWD, "/", O_RDONLY | O_CLOEXEC, 0);
	chain_read(c, chain_res(o), buf, sizeof(buf));
	for (i = 0; i < 3; i++)
		assert_int_equal(chain_run(c), 0);
	assert_int_equal(fd_count(), before + 3);
	for (i = 0; i < 3; i++)
		close((int)chain_ret(c, o) - i);
	assert_int_equal(fd_count(), before);
	chain_free(c);
}

/*
 * chain_register_buffers() and chain_fixed() on the user backend: what
 * they refuse, and a fixed op out of its buffer failing with -EFAULT
 * without a system call (a pipe's contents tell).
 */
static void test_fixed_buffers(void **state)
{
	struct iovec many[SYSCHAIN_MAX_BUFS + 1];
	char buf[64], other[8];
	struct iovec iov = { buf, sizeof(buf) };
	struct chain_handle w, g;
	struct chain *c;
	int p[2], err_op, i;

	(void)state;
	for (i = 0; i <= SYSCHAIN_MAX_BUFS; i++) {
		many[i].iov_base = buf;
		many[i].iov_len = sizeof(buf);
	}
	assert_int_equal(chain_register_buffers(NULL, &iov, 1, 0), -EINVAL);
	assert_int_equal(chain_new(&c), 0);
	chain_set_backend(c, CHAIN_BACKEND_USER);
	assert_int_equal(chain_register_buffers(c, NULL, 1, 0), -EINVAL);
	assert_int_equal(chain_register_buffers(c, many, SYSCHAIN_MAX_BUFS + 1,
						0), -E2BIG);
	assert_int_equal(chain_register_buffers(c, many, 1, 2), -EINVAL);
	/* kernel buffers: 16 MiB in all */
	many[0].iov_len = SYSCHAIN_MAX_KERNEL_BUF;
	assert_int_equal(chain_register_buffers(c, many, 1, CHAIN_BUF_KERNEL),
			 0);
	assert_int_equal(chain_register_buffers(c, many, 2, CHAIN_BUF_KERNEL),
			 -E2BIG);
	many[0].iov_len = sizeof(buf);
	assert_int_equal(chain_register_buffers(c, many, SYSCHAIN_MAX_BUFS, 0), 0);
	many[0].iov_len = 0;
	assert_int_equal(chain_register_buffers(c, many, 1, 0), -EINVAL);
	many[0].iov_len = (1UL << 30) + 1;
	assert_int_equal(chain_register_buffers(c, many, 1, 0), -E2BIG);
	assert_int_equal(chain_register_buffers(c, NULL, 0, 0), 0);
	assert_int_equal(chain_register_buffers(c, &iov, 1, 0), 0);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(chain_set_stop_on_error(c, false), 0);
	memcpy(buf, "abcdefgh", 8);
	w = chain_write(c, p[1], buf + 4, 4);
	assert_int_equal(chain_fixed(c, w), 0);
	g = chain_write(c, p[1], other, 1);	/* outside: -EFAULT, no call */
	assert_int_equal(chain_fixed(c, g), 0);
	chain_fixed(c, chain_write(c, p[1], buf + 60, 5));	/* past the end */
	chain_write(c, p[1], buf, 2);		/* not fixed */
	assert_int_equal(chain_build_error(c, NULL), 0);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_ret(c, 0), 4);
	assert_int_equal(chain_ret(c, 1), -EFAULT);
	assert_int_equal(chain_ret(c, 2), -EFAULT);
	assert_int_equal(chain_ret(c, 3), 2);
	assert_int_equal(read(p[0], other, sizeof(other)), 6);
	assert_memory_equal(other, "efghab", 6);

	/* an op without a data buffer: a building error */
	g = chain_getppid(c);
	assert_int_equal(chain_fixed(c, g), -EINVAL);
	assert_int_equal(chain_build_error(c, &err_op), -EINVAL);
	assert_int_equal(err_op, g.op);
	chain_free(c);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder_encoding),
		cmocka_unit_test(test_builder_encoding_more),
		cmocka_unit_test(test_syscall_generic),
		cmocka_unit_test(test_cond_encoding),
		cmocka_unit_test(test_builders_run),
		cmocka_unit_test(test_more_builders_run_fs),
		cmocka_unit_test(test_more_builders_run_misc),
		cmocka_unit_test(test_ref_addend),
		cmocka_unit_test(test_handle_as_arg),
		cmocka_unit_test(test_handle_or_index),
		cmocka_unit_test(test_failed_handle_arg),
		cmocka_unit_test(test_null_chain),
		cmocka_unit_test(test_bad_indexes),
		cmocka_unit_test(test_build_error_sticky),
		cmocka_unit_test(test_jump_out_of_range),
		cmocka_unit_test(test_unplaced_label),
		cmocka_unit_test(test_too_many_ops),
		cmocka_unit_test(test_loop_with_label),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_cond_rhs_ref),
		cmocka_unit_test(test_stop_on_error),
		cmocka_unit_test(test_handlers),
		cmocka_unit_test(test_reuse_set_arg),
		cmocka_unit_test(test_backends),
		cmocka_unit_test(test_env_backend),
		cmocka_unit_test(test_status_str),
		cmocka_unit_test(test_report_not_run),
		cmocka_unit_test(test_result_accessor),
		cmocka_unit_test(test_set_arg_argno),
		cmocka_unit_test(test_op_names),
		cmocka_unit_test(test_finally_closes),
		cmocka_unit_test(test_fixed_buffers),
	};

	if (argc == 3 && !strcmp(argv[1], "--env-child"))
		return env_child_main(argv[2]);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
