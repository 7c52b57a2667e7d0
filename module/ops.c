// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op table of the kernel executor, indexed by native syscall number
 * and generated from oplist.h. Each entry names the syscall number, its
 * argument count and the implementation, which lives in the file of its
 * family (ops_fs.c, ops_process.c, ...).
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <asm/unistd.h>
#include "ops.h"

#define SC_CHECK_0(sys)	NULL
#define SC_CHECK_1(sys)	sc_check_##sys

/* which arguments name a path, and which data a registered buffer may hold */
#define SC_I(kind, name)	0
#define SC_P(kind, name)	SC_KIND_##kind

static const struct sc_opdef sc_ops[] = {
#define SC_OP(sys, n, chk, ...)						\
	[__NR_##sys] = {						\
		.nr = __NR_##sys,					\
		.nargs = n + BUILD_BUG_ON_ZERO(n > SYSCHAIN_MAX_ARGS),	\
		.name = #sys,						\
		.fn = sc_op_##sys,					\
		.check = SC_CHECK_##chk(sys),				\
		.path_arg = SC_ARG_OF(SC_KIND_PATH, ##__VA_ARGS__),	\
		.fixed_arg = SC_ARG_OF(SC_KIND_IOBUF, ##__VA_ARGS__),	\
		.fixed_iov = SC_ARG_OF(SC_KIND_IOV, ##__VA_ARGS__),	\
	},
#include "oplist.h"
#undef SC_OP
};
#undef SC_I
#undef SC_P

/**
 * sc_op_table() - the op table, indexed by syscall number
 * @len: set to its length
 *
 * Return: the table; entries without an implementation are unsupported.
 */
const struct sc_opdef *sc_op_table(u32 *len)
{
	*len = ARRAY_SIZE(sc_ops);
	return sc_ops;
}

/** sc_op_count() - how many ops the module supports */
unsigned int sc_op_count(void)
{
	unsigned int nr, count = 0;

	for (nr = 0; nr < ARRAY_SIZE(sc_ops); nr++)
		count += !!sc_ops[nr].fn;
	return count;
}

/**
 * sc_op_copy_list() - write the supported syscall numbers, ascending
 * @list: user array
 * @capacity: its length in entries; at most that many are written
 *
 * Return: 0 or -EFAULT.
 */
int sc_op_copy_list(u32 __user *list, unsigned int capacity)
{
	unsigned int nr, i = 0;

	for (nr = 0; nr < ARRAY_SIZE(sc_ops) && i < capacity; nr++) {
		if (!sc_ops[nr].fn)
			continue;
		if (put_user(nr, &list[i]))
			return -EFAULT;
		i++;
	}
	return 0;
}
