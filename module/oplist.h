/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later OR MIT */
/*
 * The ops syschain supports: one line per syscall, by family, with its
 * argument count. Freestanding, and deliberately without an include guard:
 * the includer defines SC_OP(name, nargs, check) first. The kernel op table
 * (ops.c) and libchain's userspace executor are both generated from this
 * list, so both executors support exactly the same ops.
 *
 * __NR_<name> is the op's native syscall number; sc_op_<name>() is its
 * kernel implementation, in the ops_<family>.c file of its family. check
 * is 1 when the kernel executor restricts the op's arguments at validation
 * (sc_check_<name>(): what it cannot run faithfully it rejects with
 * -EOPNOTSUPP before the chain starts), 0 otherwise.
 */

/* fs: ops_fs.c */
SC_OP(read, 3, 0)
SC_OP(write, 3, 0)
SC_OP(openat, 4, 1)
SC_OP(close, 1, 0)
SC_OP(lseek, 3, 0)
SC_OP(pread64, 4, 0)
SC_OP(pwrite64, 4, 0)
SC_OP(readv, 3, 1)
SC_OP(writev, 3, 1)
SC_OP(fsync, 1, 0)
SC_OP(fdatasync, 1, 0)
SC_OP(fallocate, 4, 0)
SC_OP(fadvise64, 4, 0)
SC_OP(copy_file_range, 6, 0)

/* metadata and directories: ops_meta.c */
SC_OP(fstat, 2, 0)
SC_OP(newfstatat, 4, 0)
SC_OP(getdents64, 3, 0)
SC_OP(mkdirat, 3, 0)
SC_OP(faccessat, 3, 0)
SC_OP(faccessat2, 4, 0)

/* descriptors: ops_fd.c */
SC_OP(dup, 1, 0)

/* process: ops_process.c */
SC_OP(getpid, 0, 0)
SC_OP(getppid, 0, 0)
SC_OP(gettid, 0, 0)
SC_OP(getuid, 0, 0)
SC_OP(geteuid, 0, 0)
SC_OP(getgid, 0, 0)
SC_OP(getegid, 0, 0)
SC_OP(sched_yield, 0, 0)

/* net: ops_net.c */
SC_OP(sendto, 6, 1)
SC_OP(recvfrom, 6, 0)
SC_OP(sendmsg, 3, 1)
SC_OP(recvmsg, 3, 1)

/* time: ops_time.c */
SC_OP(clock_gettime, 2, 1)
SC_OP(nanosleep, 2, 0)
SC_OP(clock_nanosleep, 4, 1)
