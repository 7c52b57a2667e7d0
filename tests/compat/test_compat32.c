// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * A 32-bit (ia32) caller of /dev/syschain: the same struct layouts reach
 * the module through .compat_ioctl with no translation. Built -m32
 * -static without cmocka (there is no 32-bit libcmocka here); prints a
 * "N passed, M failed" line and exits non-zero on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/syschain.h>

/* x86_64 syscall numbers: chains name native ops whatever the caller */
#define NR64_read	0
#define NR64_readv	19
#define NR64_getppid	110
#define NR64_lseek	8
#define NR64_sendmsg	46
#define NR64_recvmsg	47
#define NR64_sendto	44
#define NR64_nanosleep	35

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

_Static_assert(sizeof(struct syschain_run) == 88, "run layout");
_Static_assert(SYSCHAIN_RUN_SIZE_VER0 == 80, "run layout, version 0");
_Static_assert(sizeof(struct syschain_op) == 88, "op layout");
_Static_assert(sizeof(struct syschain_cond) == 24, "cond layout");
_Static_assert(sizeof(struct syschain_probe) == 56, "probe layout");
_Static_assert(sizeof(struct syschain_register) == 72, "register layout");
_Static_assert(SYSCHAIN_REGISTER_SIZE_VER0 == 56, "register layout, version 0");
_Static_assert(sizeof(struct syschain_buf) == 24, "buffer layout");
_Static_assert(sizeof(struct syschain_exec) == 72, "exec layout");
_Static_assert(sizeof(struct syschain_patch) == 16, "patch layout");

static int run(int fd, struct syschain_op *ops, uint32_t n,
	       struct syschain_result *res, struct syschain_run *r)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->nr_ops = n;
	r->op_size = sizeof(*ops);
	r->cond_size = sizeof(struct syschain_cond);
	r->ops_uptr = (uintptr_t)ops;
	r->results_uptr = (uintptr_t)res;
	return ioctl(fd, SYSCHAIN_RUN, r) < 0 ? -errno : 0;
}

int main(void)
{
	struct syschain_probe p = { .size = sizeof(p) };
	struct syschain_op ops[3];
	struct syschain_result res[3];
	struct syschain_run r;
	int fd = open("/dev/syschain", O_RDWR);

	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	CHECK(ioctl(fd, SYSCHAIN_PROBE, &p) == 0);
	CHECK(p.abi_version == SYSCHAIN_ABI_VERSION);
	CHECK(p.op_size == sizeof(struct syschain_op));

	memset(ops, 0, sizeof(ops));
	ops[0].nr = NR64_getppid;
	ops[1].nr = NR64_lseek;
	ops[1].args[0] = 1000;
	CHECK(run(fd, ops, 2, res, &r) == 0);
	CHECK(r.status == SYSCHAIN_STATUS_COMPLETED && r.steps == 2);
	CHECK(res[0].ret == getppid());
	CHECK(res[1].ret == -EBADF);

	/* the iovec layout would depend on the caller: refused up front */
	memset(ops, 0, sizeof(ops));
	ops[0].nr = NR64_getppid;
	ops[1].nr = NR64_readv;
	CHECK(run(fd, ops, 2, res, &r) == -EOPNOTSUPP);
	CHECK(r.status == SYSCHAIN_STATUS_INVALID && r.stop_op == 1);
	/* sendmsg/recvmsg import iovecs too */
	ops[1].nr = NR64_sendmsg;
	CHECK(run(fd, ops, 2, res, &r) == -EOPNOTSUPP);
	CHECK(r.status == SYSCHAIN_STATUS_INVALID && r.stop_op == 1);
	ops[1].nr = NR64_recvmsg;
	CHECK(run(fd, ops, 2, res, &r) == -EOPNOTSUPP);
	CHECK(r.status == SYSCHAIN_STATUS_INVALID && r.stop_op == 1);
	/* a netlink family may read a 32-bit caller's payload as compat */
	ops[1].nr = NR64_sendto;
	CHECK(run(fd, ops, 2, res, &r) == -EOPNOTSUPP);
	CHECK(r.status == SYSCHAIN_STATUS_INVALID && r.stop_op == 1);

	/*
	 * A sleep's timespec is native: the upper half of tv_nsec counts, as
	 * the native syscall reads it (get_timespec64() would clear it for a
	 * 32-bit caller and sleep 1 us).
	 */
	{
		static const uint64_t ts[2] = { 0, (1ULL << 32) + 1000 };
		static const uint64_t ok[2] = { 0, 1000 };

		memset(ops, 0, sizeof(ops));
		ops[0].nr = NR64_nanosleep;
		ops[0].args[0] = (uintptr_t)ts;
		CHECK(run(fd, ops, 1, res, &r) == 0);
		CHECK(r.status == SYSCHAIN_STATUS_COMPLETED && res[0].count == 1);
		CHECK(res[0].ret == -EINVAL);
		ops[0].args[0] = (uintptr_t)ok;
		CHECK(run(fd, ops, 1, res, &r) == 0);
		CHECK(res[0].count == 1 && res[0].ret == 0);
	}
	/* a registered chain, run twice with a patch, through compat_ioctl */
	{
		struct syschain_register reg = { .size = sizeof(reg) };
		struct syschain_patch patch = { .op = 0, .arg = 0 };
		struct syschain_exec x = { .size = sizeof(x) };
		static char buf[4];

		memset(ops, 0, sizeof(ops));
		ops[0].nr = NR64_read;
		ops[0].args[0] = (uint64_t)-1;
		ops[0].args[1] = (uintptr_t)buf;
		ops[0].args[2] = sizeof(buf);
		ops[1].nr = NR64_getppid;
		reg.nr_ops = 2;
		reg.op_size = sizeof(ops[0]);
		reg.cond_size = sizeof(struct syschain_cond);
		reg.ops_uptr = (uintptr_t)ops;
		CHECK(ioctl(fd, SYSCHAIN_REGISTER, &reg) == 0 && reg.fd >= 0);
		x.results_uptr = (uintptr_t)res;
		CHECK(ioctl(reg.fd, SYSCHAIN_EXEC, &x) == 0);
		CHECK(x.status == SYSCHAIN_STATUS_COMPLETED && x.steps == 2);
		CHECK(res[0].ret == -EBADF && res[1].ret == getppid());
		patch.value = (uint64_t)fd;	/* the device: read is -EINVAL */
		x.nr_patches = 1;
		x.patch_size = sizeof(patch);
		x.patches_uptr = (uintptr_t)&patch;
		CHECK(ioctl(reg.fd, SYSCHAIN_EXEC, &x) == 0);
		CHECK(res[0].ret == -EINVAL && res[0].count == 1);
		close(reg.fd);
	}
	CHECK(ioctl(fd, _IO(SYSCHAIN_TYPE, 0x7f), &r) < 0 && errno == ENOTTY);
out:
	printf("compat32: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
