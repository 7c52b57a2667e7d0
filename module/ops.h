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
#include <linux/atomic.h>
#include <asm/unistd.h>		/* oplist.h's guards test __NR_<name> */
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
 * struct sc_kbuf - a registered buffer's pinned pages (registered.c)
 * @addr: the buffer's first byte, a user address
 * @bvec: one entry per page, the first and last partial
 * @nr_bvecs: entries in @bvec
 * @pages: the pinned pages, @nr_bvecs of them
 * @kernel: the pages are the chain's own (%SYSCHAIN_BUF_KERNEL), not the
 *	caller's memory
 */
struct sc_kbuf {
	u64 addr;
	struct bio_vec *bvec;
	unsigned int nr_bvecs;
	struct page **pages;
	bool kernel;
};

struct iov_iter;
void sc_fixed_iter(struct iov_iter *iter, unsigned int dir,
		   const struct sc_kbuf *kb, const void __user *buf,
		   size_t count);
int sc_fixed_copy(const struct sc_kbuf *kb, void __user *buf, size_t count,
		  bool to_kernel);
__s64 sc_fixed_iov_call(const struct sc_chain *c, const struct sc_opdef *def,
			const __u64 *args);

/**
 * struct sc_exec - the kernel executor's state for one ioctl (sc_chain.exec)
 * @switches: the generation of the module's switches (disabled, group,
 *	allow_seccomp) under which the chain was let in
 * @audit: the ioctl has an audit context: every op boundary is left, so
 *	that each crossing has its audit record
 * @sleep_until: in: a resumed relative sleep ends then (0: none)
 * @slept_until: out: when a relative sleep that a signal interrupted would
 *	have ended (0: none)
 * @own_bufs: the caller's address space is the one the chain's registered
 *	buffers are pinned in: its fixed ops use the pinned pages
 * @fixed: while an op with %SYSCHAIN_OP_FIXED_BUF runs in that address
 *	space, the registered buffer of its data; NULL otherwise
 * @fixed_chain: while a readv or writev with %SYSCHAIN_OP_FIXED_BUF runs,
 *	its chain (its buffers), and in @fixed_iov the iovec array as read
 *	and checked (sc_fixed_iov_call()), @fixed_nr entries: the op uses
 *	that copy, not the caller's array again
 * @fixed_iov: see @fixed_chain
 * @fixed_nr: see @fixed_chain
 */
struct sc_exec {
	u32 switches;
	bool audit;
	bool own_bufs;
	const struct sc_kbuf *fixed;
	const struct sc_chain *fixed_chain;
	const struct sc_iovec *fixed_iov;
	u32 fixed_nr;
	ktime_t sleep_until;
	ktime_t slept_until;
};

/*
 * Who may run chains (main.c): sc_permitted() answers 0 or -EPERM, and
 * says in *@switches under which generation of the module's switches; a
 * chain's boundaries look at the generation alone, and check again in
 * sc_boundary() when it moved (or a seccomp filter applies).
 */
extern atomic_t sc_switches_gen;

int sc_permitted(u32 *switches);
int sc_boundary(struct sc_exec *x);

static inline bool sc_switches_changed(u32 switches)
{
	return (u32)atomic_read(&sc_switches_gen) != switches;
}

bool sc_is_syschain_file(const struct file *file);

const struct sc_opdef *sc_op_table(u32 *len);
unsigned int sc_op_count(void);
int sc_op_copy_list(u32 __user *list, unsigned int capacity);

/*
 * The ops, in the ops_<family>.c file of their family: sc_op_<name>() for
 * each line of oplist.h, and sc_check_<name>() where its check is 1.
 */
#define SC_CHECK_PROTO_0(sys)
#define SC_CHECK_PROTO_1(sys) int sc_check_##sys(const struct syschain_op *op);
#define SC_OP(sys, n, chk, ...)						\
	__s64 sc_op_##sys(const __u64 *args, struct sc_exec *x);	\
	SC_CHECK_PROTO_##chk(sys)
#include "oplist.h"
#undef SC_OP
#undef SC_CHECK_PROTO_0
#undef SC_CHECK_PROTO_1

#endif /* SYSCHAIN_OPS_H */
