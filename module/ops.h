/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel executor's op table and the helpers its families share.
 */
#ifndef SYSCHAIN_OPS_H
#define SYSCHAIN_OPS_H

#include <linux/types.h>
#include "engine.h"
#include "oplist.h"

#define SC_DECLARE_CHECK_0(name)
#define SC_DECLARE_CHECK_1(name)	int sc_check_##name(const struct syschain_op *op);
#define SC_DECLARE_OP(name, nargs, chk)				\
	__s64 sc_op_##name(const __u64 *args);				\
	SC_DECLARE_CHECK_##chk(name)
SC_FOR_EACH_OP(SC_DECLARE_OP)
#undef SC_DECLARE_OP

const struct sc_opdef *sc_op_lookup(u32 nr);
unsigned int sc_op_count(void);
int sc_op_copy_list(u32 __user *list, unsigned int capacity);

#endif /* SYSCHAIN_OPS_H */
