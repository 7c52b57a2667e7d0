/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel executor's op table and the op implementations, by family.
 * The list of ops is oplist.h.
 */
#ifndef SYSCHAIN_OPS_H
#define SYSCHAIN_OPS_H

#include <linux/types.h>
#include "engine.h"

const struct sc_opdef *sc_op_lookup(u32 nr);
unsigned int sc_op_count(void);
int sc_op_copy_list(u32 __user *list, unsigned int capacity);

/* ops_fs.c */
__s64 sc_op_read(const __u64 *args);
__s64 sc_op_write(const __u64 *args);
__s64 sc_op_openat(const __u64 *args);
int sc_check_openat(const struct syschain_op *op);
__s64 sc_op_close(const __u64 *args);
__s64 sc_op_lseek(const __u64 *args);
__s64 sc_op_pread64(const __u64 *args);
__s64 sc_op_pwrite64(const __u64 *args);

/* ops_process.c */
__s64 sc_op_getpid(const __u64 *args);
__s64 sc_op_getppid(const __u64 *args);
__s64 sc_op_gettid(const __u64 *args);

#endif /* SYSCHAIN_OPS_H */
