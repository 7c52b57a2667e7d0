/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel executor's op table and the op implementations, by family.
 * The list of ops is oplist.h.
 */
#ifndef SYSCHAIN_OPS_H
#define SYSCHAIN_OPS_H

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/ktime.h>
#include <linux/types.h>
#include "compat.h"
#include "engine.h"

/*
 * fdget_pos()/fdput_pos() are not exported; this is their logic: lock
 * f_pos_lock when the position of a file may be shared, or always for
 * directories (as 6.12 does; harmless on older kernels).
 */
struct sc_fd {
	struct fd f;
	bool pos_locked;
};

static inline struct file *sc_fdget_pos(unsigned int fd, struct sc_fd *sf)
{
	struct file *file;

	sf->f = fdget(fd);
	sf->pos_locked = false;
	file = fd_file(sf->f);
	if (file && (file->f_mode & FMODE_ATOMIC_POS) &&
	    (file_count(file) > 1 || file->f_op->iterate_shared)) {
		mutex_lock(&file->f_pos_lock);
		sf->pos_locked = true;
	}
	return file;
}

static inline void sc_fdput_pos(struct sc_fd *sf)
{
	if (sf->pos_locked)
		mutex_unlock(&fd_file(sf->f)->f_pos_lock);
	fdput(sf->f);
}

static inline loff_t *sc_file_ppos(struct file *file)
{
	return file->f_mode & FMODE_STREAM ? NULL : &file->f_pos;
}


/**
 * struct sc_kexec - the kernel executor's state for one ioctl (sc_chain.exec)
 * @sleep_until: in: a resumed relative sleep ends then (0: none)
 * @slept_until: out: when a relative sleep that a signal interrupted would
 *	have ended (0: none)
 */
struct sc_kexec {
	ktime_t sleep_until;
	ktime_t slept_until;
};

int sc_permitted(void);
bool sc_is_syschain_file(const struct file *file);

const struct sc_opdef *sc_op_table(u32 *len);
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
__s64 sc_op_readv(const __u64 *args);
int sc_check_readv(const struct syschain_op *op);
__s64 sc_op_writev(const __u64 *args);
int sc_check_writev(const struct syschain_op *op);
__s64 sc_op_fsync(const __u64 *args);
__s64 sc_op_fdatasync(const __u64 *args);
__s64 sc_op_fallocate(const __u64 *args);
__s64 sc_op_fadvise64(const __u64 *args);
__s64 sc_op_copy_file_range(const __u64 *args);

/* ops_meta.c */
__s64 sc_op_fstat(const __u64 *args);
__s64 sc_op_newfstatat(const __u64 *args);
__s64 sc_op_getdents64(const __u64 *args);
__s64 sc_op_mkdirat(const __u64 *args);
__s64 sc_op_faccessat(const __u64 *args);
__s64 sc_op_faccessat2(const __u64 *args);

/* ops_fd.c */
__s64 sc_op_dup(const __u64 *args);

/* ops_process.c */
__s64 sc_op_getpid(const __u64 *args);
__s64 sc_op_getppid(const __u64 *args);
__s64 sc_op_gettid(const __u64 *args);
__s64 sc_op_getuid(const __u64 *args);
__s64 sc_op_geteuid(const __u64 *args);
__s64 sc_op_getgid(const __u64 *args);
__s64 sc_op_getegid(const __u64 *args);
__s64 sc_op_sched_yield(const __u64 *args);

/* ops_net.c */
__s64 sc_op_sendto(const __u64 *args);
int sc_check_sendto(const struct syschain_op *op);
__s64 sc_op_recvfrom(const __u64 *args);
__s64 sc_op_sendmsg(const __u64 *args);
int sc_check_sendmsg(const struct syschain_op *op);
__s64 sc_op_recvmsg(const __u64 *args);
int sc_check_recvmsg(const struct syschain_op *op);

/* ops_time.c */
__s64 sc_op_clock_gettime(const __u64 *args);
int sc_check_clock_gettime(const struct syschain_op *op);
__s64 sc_op_nanosleep(const __u64 *args);
__s64 sc_op_clock_nanosleep(const __u64 *args);
__s64 sc_sleep_nanosleep(const __u64 *args, struct sc_kexec *x);
__s64 sc_sleep_clock_nanosleep(const __u64 *args, struct sc_kexec *x);
int sc_check_clock_nanosleep(const struct syschain_op *op);

#endif /* SYSCHAIN_OPS_H */
