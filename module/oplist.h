/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later OR MIT */
/*
 * The ops syschain supports: one line per syscall, by family, with its
 * argument count. Freestanding: the kernel op table (ops.c) and libchain's
 * userspace executor are both generated from this list, so both executors
 * support exactly the same ops. Every op listed here has a kernel
 * implementation sc_op_<name>() in the ops_<family>.c file of its family.
 *
 * SC_FOR_EACH_OP(X) expands X(name, nargs, check) for every op; __NR_<name>
 * is the op's native syscall number. check is 1 when the kernel executor
 * restricts the op's arguments at validation (sc_check_<name>() in its
 * family file: what it cannot run faithfully it rejects with -EOPNOTSUPP
 * before the chain starts), 0 otherwise.
 */
#ifndef SYSCHAIN_OPLIST_H
#define SYSCHAIN_OPLIST_H

#define SC_FOR_EACH_OP(X)						\
	/* fs: ops_fs.c */						\
	X(read, 3, 0)							\
	X(write, 3, 0)							\
	X(openat, 4, 1)							\
	X(close, 1, 0)							\
	X(lseek, 3, 0)							\
	X(pread64, 4, 0)							\
	X(pwrite64, 4, 0)							\
	/* process: ops_process.c */					\
	X(getpid, 0, 0)							\
	X(getppid, 0, 0)							\
	X(gettid, 0, 0)

#endif /* SYSCHAIN_OPLIST_H */
