/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * The ops of module/oplist.h, for the tests that make chains of every op
 * from per-op tables keyed by syscall number (test_diff's generators,
 * test_fuzz's argument kinds): g_oplist[] lists them as the module does,
 * and g_assert_every_op() fails, naming each op a table lacks, so that an
 * op added to oplist.h without its generator fails a test instead of being
 * silently left out.
 */
#ifndef SYSCHAIN_GUEST_OPS_H
#define SYSCHAIN_GUEST_OPS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include <sys/syscall.h>

/* per-op tables are indexed by syscall number, below this */
#define G_OPTAB_SIZE	512

struct g_op_info {
	uint32_t nr;
	const char *name;
	int nargs;		/* the module's argument count */
};

static const struct g_op_info g_oplist[] = {
#define SC_OP(name, nargs, check, ...) { __NR_##name, #name, nargs },
#include "../../module/oplist.h"
#undef SC_OP
};
#define G_NR_OPLIST	(sizeof(g_oplist) / sizeof(g_oplist[0]))

/* Every op of oplist.h has an entry in table @what: @has(nr) says so. */
static inline void g_assert_every_op(const char *what, bool (*has)(uint32_t nr))
{
	char miss[1024] = "";
	size_t i, len = 0;

	for (i = 0; i < G_NR_OPLIST; i++) {
		const struct g_op_info *o = &g_oplist[i];

		if (o->nr < G_OPTAB_SIZE && has(o->nr))
			continue;
		if (len < sizeof(miss))
			len += snprintf(miss + len, sizeof(miss) - len, " %s",
					o->name);
	}
	if (len)
		fail_msg("ops of module/oplist.h without an entry in %s:%s",
			 what, miss);
}

#endif /* SYSCHAIN_GUEST_OPS_H */
