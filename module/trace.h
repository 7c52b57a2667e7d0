/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints: seccomp, audit and the syscall tracepoints see one ioctl for
 * a whole chain; these show what runs inside it.
 *
 *   echo 1 > /sys/kernel/tracing/events/syschain/enable
 *   perf trace -e 'syschain:*'
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM syschain

#if !defined(SYSCHAIN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SYSCHAIN_TRACE_H

#include <linux/tracepoint.h>
#include <linux/syschain.h>
#include "compat.h"		/* sc_assign_str() */

/*
 * One op execution: its index, syscall number, resolved arguments (the
 * format prints SYSCHAIN_MAX_ARGS of them: six), result; for an op that
 * names a path, the name as it was after the op and its length (-EFAULT:
 * unreadable, -ENOENT: no path argument; cut at 255 bytes)
 */
TRACE_EVENT(syschain_op,
	TP_PROTO(u32 idx, u32 nr, const u64 *args, s64 ret, int path_len,
		 const char *path),
	TP_ARGS(idx, nr, args, ret, path_len, path),
	TP_STRUCT__entry(
		__field(u32, idx)
		__field(u32, nr)
		__array(u64, args, SYSCHAIN_MAX_ARGS)
		__field(s64, ret)
		__field(int, path_len)
		__string(path, path)
	),
	TP_fast_assign(
		__entry->idx = idx;
		__entry->nr = nr;
		memcpy(__entry->args, args, sizeof(__entry->args));
		__entry->ret = ret;
		__entry->path_len = path_len;
		sc_assign_str(path, path);
	),
	TP_printk("op=%u nr=%u args=(0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx) ret=%lld path_len=%d path=\"%s\"",
		  __entry->idx, __entry->nr,
		  __entry->args[0], __entry->args[1], __entry->args[2],
		  __entry->args[3], __entry->args[4], __entry->args[5],
		  __entry->ret, __entry->path_len, __get_str(path))
);

/* A chain's end: how many ops, how many executions, how it ended */
TRACE_EVENT(syschain_run,
	TP_PROTO(u32 nr_ops, u64 steps, u32 status, u32 stop_op),
	TP_ARGS(nr_ops, steps, status, stop_op),
	TP_STRUCT__entry(
		__field(u32, nr_ops)
		__field(u64, steps)
		__field(u32, status)
		__field(u32, stop_op)
	),
	TP_fast_assign(
		__entry->nr_ops = nr_ops;
		__entry->steps = steps;
		__entry->status = status;
		__entry->stop_op = stop_op;
	),
	TP_printk("nr_ops=%u steps=%llu status=%u stop_op=%d",
		  __entry->nr_ops, __entry->steps, __entry->status,
		  (int)__entry->stop_op)
);

#endif /* SYSCHAIN_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
