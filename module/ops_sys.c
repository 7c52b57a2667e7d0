// SPDX-License-Identifier: GPL-2.0-only
/*
 * System ops: getrandom() as drivers/char/random.c serves it.
 */
#include <linux/minmax.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/random.h>
#include "compat.h"
#include "ops.h"

/* get_random_bytes_user()'s ChaCha block and key sizes */
#define SC_RANDOM_BLOCK	64
#define SC_RANDOM_KEY	32
/* random bytes drawn at a time, handed out a block at a time */
#define SC_RANDOM_BATCH	(4 * SC_RANDOM_BLOCK)

/*
 * getrandom(char __user *buf, size_t count, unsigned int flags): the
 * syscall's flag checks, its wait for the pool (rng_is_initialized() is
 * its crng_ready(); wait_for_random_bytes() returns -ERESTARTSYS to a
 * signal), import_single_range()'s clamp and access_ok(), then
 * get_random_bytes_user()'s copy-out. The bytes come from
 * get_random_bytes(), the same generator (crng_make_state() and ChaCha20
 * under it), drawn a batch at a time; they leave as the syscall's do, so
 * that the count a fault or a signal leaves is the syscall's: at most 32
 * bytes at once for a request that small, otherwise a 64-byte block per
 * copy, stopping at the first short copy, and a signal check (and
 * cond_resched()) at every page of output.
 */
__s64 sc_op_getrandom(const __u64 *args, struct sc_exec *x)
{
	char __user *ubuf = u64_to_user_ptr(args[0]);
	size_t len = args[1];
	unsigned int flags = (unsigned int)args[2];
	u8 batch[SC_RANDOM_BATCH];
	size_t ret = 0, at = sizeof(batch), n, copied;
	int error;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (!rng_is_initialized() && !(flags & GRND_INSECURE)) {
		if (flags & GRND_NONBLOCK)
			return -EAGAIN;
		error = wait_for_random_bytes();
		if (unlikely(error))
			return error;
	}

	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (unlikely(!access_ok(ubuf, len)))
		return -EFAULT;
	if (unlikely(!len))
		return 0;

	if (len <= SC_RANDOM_KEY) {
		get_random_bytes(batch, len);
		ret = len - copy_to_user(ubuf, batch, len);
		goto out_zero_batch;
	}
	for (;;) {
		if (at == sizeof(batch)) {
			get_random_bytes(batch, sizeof(batch));
			at = 0;
		}
		n = min_t(size_t, SC_RANDOM_BLOCK, len - ret);
		copied = n - copy_to_user(ubuf + ret, batch + at, n);
		at += SC_RANDOM_BLOCK;
		ret += copied;
		if (ret == len || copied != SC_RANDOM_BLOCK)
			break;
		if (ret % PAGE_SIZE == 0) {
			if (signal_pending(current))
				break;
			cond_resched();
		}
	}
out_zero_batch:
	memzero_explicit(batch, sizeof(batch));
	return ret ? ret : -EFAULT;
}
