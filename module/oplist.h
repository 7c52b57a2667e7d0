/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later OR MIT */
/*
 * The ops syschain supports: one entry per syscall, by family. Everything
 * that knows the op set follows from this list or is checked against it:
 * the kernel op table and the ops' prototypes (ops.c, ops.h, the
 * dispatch switch of engine_kernel.h), libchain's user executor and its
 * typed builders (scripts/gen-builders.sh writes chain_<name>() from the
 * arguments below), the fuzzer's and the differential test's generators,
 * the probe test; scripts/check-ops.sh holds the man pages, the README and
 * the fidelity tests against it.
 *
 * Freestanding, and deliberately without an include guard: the includer
 * includes the syscall numbers (<asm/unistd.h> in the kernel,
 * <sys/syscall.h> in user space) and defines SC_OP(name, nargs, check,
 * ...) first (and SC_I()/SC_P() if it reads the arguments).
 *
 * The ops are the entries whose syscall the architecture has: an entry
 * for a syscall that some architecture lacks stands alone between
 * "#ifdef __NR_<name>" and "#endif" (scripts/gen-builders.sh checks the
 * form and carries the guard into the builders), and its sc_op_<name>()
 * is built under the same test. Today that is getpgrp, which the generic
 * syscall table of arm64 (asm-generic/unistd.h) does not have: its C
 * libraries answer getpgrp() with getpgid(0). Any other entry must exist
 * on every architecture the module builds for (make module and make
 * module-arm64 fail otherwise).
 *
 * A family is a comment "<what>: ops_<family>.c" before its entries (the
 * ops list of syschain(7) shows <what>).
 *
 * __NR_<name> is the op's native syscall number; sc_op_<name>() is its
 * kernel implementation, in the ops_<family>.c file of its family. check
 * is 1 when the kernel executor restricts the op's arguments at validation
 * (sc_check_<name>(): what it cannot run faithfully it rejects with
 * -EOPNOTSUPP before the chain starts), 0 otherwise.
 *
 * Then the syscall's nargs arguments, in order, each SC_I(kind, name) (an
 * integer: a builder takes any integer type or an op's result) or
 * SC_P(kind, name) (an address: any pointer or an op's result). name is
 * the builder's parameter; kind says what the value is:
 *   FD, SOCK     a descriptor; a socket
 *   DIRFD        a directory descriptor or AT_FDCWD
 *   PATH         a NUL-terminated path name
 *   BUF, LEN     memory the call reads or writes; a byte count
 *   IOBUF        data the call moves, which a registered buffer may hold
 *                (SYSCHAIN_OP_FIXED_BUF); its byte count is the next
 *                argument, of kind LEN
 *   OFF, OFFP    a file offset; the address of one (or NULL)
 *   IOV, IOVCNT  an array of struct iovec; its length (its segments may
 *                lie in registered buffers: SYSCHAIN_OP_FIXED_BUF)
 *   MSG, RMSG    a struct msghdr to send; to receive into
 *   ADDRP, ADDRLEN, ADDRLENP  a socket address; its length; its address
 *   TSIN, TSREM  a struct timespec to read; one to write (or NULL)
 *   CLOCK, SCLOCK  a clock id; one a sleep may use
 *   OFLAGS, MODE, WHENCE, ATFL, AMODE, ACCFL, FALLOC, ADVICE, MSGFL,
 *   TIMERFL, GRNDFL  the flags or mode of the syscall of that name
 *   PID          a process id (0: the caller)
 *   KPID, SIG    a process to signal (> 0); a signal number
 *   XNAME        an extended attribute's name, NUL-terminated
 *   ZERO         a reserved argument that must be 0
 */

#ifndef __NR_read
#error "oplist.h: include the syscall numbers (__NR_*) before the op list"
#endif

/* files: ops_fs.c */
SC_OP(read, 3, 0, SC_I(FD, fd), SC_P(IOBUF, buf), SC_I(LEN, count))
SC_OP(write, 3, 0, SC_I(FD, fd), SC_P(IOBUF, buf), SC_I(LEN, count))
SC_OP(openat, 4, 0, SC_I(DIRFD, dfd), SC_P(PATH, path), SC_I(OFLAGS, flags),
	SC_I(MODE, mode))
SC_OP(close, 1, 0, SC_I(FD, fd))
SC_OP(lseek, 3, 0, SC_I(FD, fd), SC_I(OFF, off), SC_I(WHENCE, whence))
SC_OP(pread64, 4, 0, SC_I(FD, fd), SC_P(IOBUF, buf), SC_I(LEN, count),
	SC_I(OFF, pos))
SC_OP(pwrite64, 4, 0, SC_I(FD, fd), SC_P(IOBUF, buf), SC_I(LEN, count),
	SC_I(OFF, pos))
SC_OP(readv, 3, 1, SC_I(FD, fd), SC_P(IOV, iov), SC_I(IOVCNT, iovcnt))
SC_OP(writev, 3, 1, SC_I(FD, fd), SC_P(IOV, iov), SC_I(IOVCNT, iovcnt))
SC_OP(fsync, 1, 0, SC_I(FD, fd))
SC_OP(fdatasync, 1, 0, SC_I(FD, fd))
SC_OP(fallocate, 4, 0, SC_I(FD, fd), SC_I(FALLOC, mode), SC_I(OFF, off),
	SC_I(LEN, len))
SC_OP(fadvise64, 4, 0, SC_I(FD, fd), SC_I(OFF, off), SC_I(LEN, len),
	SC_I(ADVICE, advice))
SC_OP(copy_file_range, 6, 0, SC_I(FD, fd_in), SC_P(OFFP, off_in),
	SC_I(FD, fd_out), SC_P(OFFP, off_out), SC_I(LEN, len), SC_I(ZERO, flags))
SC_OP(truncate, 2, 0, SC_P(PATH, path), SC_I(OFF, length))

/* metadata, directories: ops_meta.c */
SC_OP(fstat, 2, 0, SC_I(FD, fd), SC_P(BUF, statbuf))
SC_OP(newfstatat, 4, 0, SC_I(DIRFD, dfd), SC_P(PATH, path), SC_P(BUF, statbuf),
	SC_I(ATFL, flags))
SC_OP(getdents64, 3, 0, SC_I(FD, fd), SC_P(BUF, dirp), SC_I(LEN, count))
SC_OP(mkdirat, 3, 0, SC_I(DIRFD, dfd), SC_P(PATH, path), SC_I(MODE, mode))
SC_OP(faccessat, 3, 0, SC_I(DIRFD, dfd), SC_P(PATH, path), SC_I(AMODE, mode))
SC_OP(faccessat2, 4, 0, SC_I(DIRFD, dfd), SC_P(PATH, path), SC_I(AMODE, mode),
	SC_I(ACCFL, flags))
SC_OP(statfs, 2, 0, SC_P(PATH, path), SC_P(BUF, buf))
SC_OP(fstatfs, 2, 0, SC_I(FD, fd), SC_P(BUF, buf))
SC_OP(getcwd, 2, 0, SC_P(BUF, buf), SC_I(LEN, size))

/* extended attributes: ops_xattr.c */
SC_OP(getxattr, 4, 0, SC_P(PATH, path), SC_P(XNAME, name), SC_P(BUF, value),
	SC_I(LEN, size))
SC_OP(lgetxattr, 4, 0, SC_P(PATH, path), SC_P(XNAME, name), SC_P(BUF, value),
	SC_I(LEN, size))
SC_OP(fgetxattr, 4, 0, SC_I(FD, fd), SC_P(XNAME, name), SC_P(BUF, value),
	SC_I(LEN, size))
SC_OP(listxattr, 3, 0, SC_P(PATH, path), SC_P(BUF, list), SC_I(LEN, size))
SC_OP(llistxattr, 3, 0, SC_P(PATH, path), SC_P(BUF, list), SC_I(LEN, size))
SC_OP(flistxattr, 3, 0, SC_I(FD, fd), SC_P(BUF, list), SC_I(LEN, size))
SC_OP(removexattr, 2, 0, SC_P(PATH, path), SC_P(XNAME, name))
SC_OP(lremovexattr, 2, 0, SC_P(PATH, path), SC_P(XNAME, name))
SC_OP(fremovexattr, 2, 0, SC_I(FD, fd), SC_P(XNAME, name))

/* descriptors: ops_fd.c */
SC_OP(dup, 1, 0, SC_I(FD, fd))

/* process: ops_process.c */
SC_OP(getpid, 0, 0)
SC_OP(getppid, 0, 0)
#ifdef __NR_getpgrp
SC_OP(getpgrp, 0, 0)
#endif
SC_OP(gettid, 0, 0)
SC_OP(getuid, 0, 0)
SC_OP(geteuid, 0, 0)
SC_OP(getgid, 0, 0)
SC_OP(getegid, 0, 0)
SC_OP(sched_yield, 0, 0)
SC_OP(getresuid, 3, 0, SC_P(BUF, ruid), SC_P(BUF, euid), SC_P(BUF, suid))
SC_OP(getresgid, 3, 0, SC_P(BUF, rgid), SC_P(BUF, egid), SC_P(BUF, sgid))
SC_OP(getgroups, 2, 0, SC_I(LEN, size), SC_P(BUF, list))
SC_OP(umask, 1, 0, SC_I(MODE, mask))
SC_OP(getpgid, 1, 1, SC_I(PID, pid))
SC_OP(getsid, 1, 1, SC_I(PID, pid))
SC_OP(kill, 2, 1, SC_I(KPID, pid), SC_I(SIG, sig))

/* sockets: ops_net.c */
SC_OP(sendto, 6, 1, SC_I(SOCK, fd), SC_P(IOBUF, buf), SC_I(LEN, len),
	SC_I(MSGFL, flags), SC_P(ADDRP, addr), SC_I(ADDRLEN, addrlen))
SC_OP(recvfrom, 6, 0, SC_I(SOCK, fd), SC_P(IOBUF, buf), SC_I(LEN, len),
	SC_I(MSGFL, flags), SC_P(ADDRP, addr), SC_P(ADDRLENP, addrlen))
SC_OP(sendmsg, 3, 1, SC_I(SOCK, fd), SC_P(MSG, msg), SC_I(MSGFL, flags))
SC_OP(recvmsg, 3, 1, SC_I(SOCK, fd), SC_P(RMSG, msg), SC_I(MSGFL, flags))

/* time: ops_time.c */
SC_OP(clock_gettime, 2, 1, SC_I(CLOCK, clockid), SC_P(BUF, tp))
SC_OP(clock_getres, 2, 1, SC_I(CLOCK, clockid), SC_P(BUF, res))
SC_OP(nanosleep, 2, 0, SC_P(TSIN, req), SC_P(TSREM, rem))
SC_OP(clock_nanosleep, 4, 1, SC_I(SCLOCK, clockid), SC_I(TIMERFL, flags),
	SC_P(TSIN, req), SC_P(TSREM, rem))
SC_OP(gettimeofday, 2, 0, SC_P(BUF, tv), SC_P(BUF, tz))

/* system: ops_sys.c */
SC_OP(getrandom, 3, 0, SC_P(BUF, buf), SC_I(LEN, count), SC_I(GRNDFL, flags))
