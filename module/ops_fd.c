// SPDX-License-Identifier: GPL-2.0-only
/*
 * Descriptor ops, following fs/file.c.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include "ops.h"

/* dup(unsigned int fildes): ksys_dup() */
__s64 sc_op_dup(const __u64 *args, struct sc_exec *x)
{
	struct file *file = fget_raw((unsigned int)args[0]);
	int ret = -EBADF;

	if (file) {
		ret = get_unused_fd_flags(0);
		if (ret >= 0)
			fd_install(ret, file);
		else
			fput(file);
	}
	return ret;
}
