// SPDX-License-Identifier: GPL-2.0-only
/*
 * Registered chains (uapi "Registered chains"): SYSCHAIN_REGISTER copies
 * and validates a chain once and returns a descriptor for it;
 * SYSCHAIN_EXEC on the descriptor runs the chain, copying and validating
 * nothing of it but the run's patches.
 *
 * Copyright (C) 2026 The syschain authors
 */
#include <linux/anon_inodes.h>
#include <linux/audit.h>
#include <linux/bvec.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/syschain.h>
#include "engine.h"
#include "ops.h"
#include "core.h"
#include "trace.h"

/**
 * struct sc_registered - a registered chain, the private data of its file
 * @lock: held by the run in progress: one run at a time
 * @chain: the chain as validated; its results are the runs' working state
 * @ops: @chain's ops, which patches change
 * @buf: the chain's memory (sc_load_chain())
 * @parked: the task whose run left at an op boundary last, NULL if none
 *	or if another run came since; its resume, with the struct at
 *	@parked_uarg as the run left it, goes on with @chain's results
 *	instead of reading them back from @parked_results
 * @parked_uarg: see @parked
 * @parked_results: see @parked
 * @parked_steps: the run's steps, as written to the struct
 * @parked_stop: the op it goes on at, as written to the struct
 * @written: the caller's results hold every op's result of this run (a
 *	run's first write is whole; later ones only what changed)
 * @bufs: the registered buffers as the engine sees them, @chain's
 * @kbufs: their pinned pages, @chain.nr_bufs of them
 * @mm: the address space the buffers are pinned in (mmgrab())
 * @user: who the pinned pages are charged to, @locked pages of them;
 *	NULL when nothing is charged (no buffers, or CAP_IPC_LOCK)
 * @locked: see @user
 * @kernel_bytes: the length of its kernel buffers, all told
 */
struct sc_registered {
	struct mutex lock;
	struct sc_chain chain;
	struct syschain_op *ops;
	void *buf;
	struct pid *parked;
	const void __user *parked_uarg;
	u64 parked_results;
	u64 parked_steps;
	u32 parked_stop;
	bool written;
	struct sc_buf *bufs;
	struct sc_kbuf *kbufs;
	struct mm_struct *mm;
	struct user_struct *user;
	unsigned long locked;
	u64 kernel_bytes;
};

static const struct file_operations sc_chain_fops;

/* where struct syschain_exec's output members start (sc_put_outcome()) */
#define SC_EXEC_STEPS offsetof(struct syschain_exec, steps)

bool sc_is_chain_file(const struct file *file)
{
	return file->f_op == &sc_chain_fops;
}

/* The report of a refused registration: which op or condition. */
static long sc_register_reject(struct syschain_register __user *uarg,
			       long err, const struct sc_report *rep)
{
	if (put_user(rep->stop_op, &uarg->stop_op) ||
	    put_user(rep->stop_cond, &uarg->stop_cond))
		return -EFAULT;
	return err;
}

/*
 * Registered buffers (uapi "Registered buffers"): pinned as io_uring pins
 * its fixed buffers, and charged the same way, to the user's locked_vm
 * against RLIMIT_MEMLOCK (io_uring's __io_account_mem()).
 */
static int sc_account_pages(struct sc_registered *rc, unsigned long nr)
{
	unsigned long limit, cur, new;

	if (!rc->user)
		return 0;
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&rc->user->locked_vm);
	do {
		if (check_add_overflow(cur, nr, &new) || new > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&rc->user->locked_vm, &cur, new));
	rc->locked += nr;
	return 0;
}

/* Anonymous memory, tmpfs (shmem, memfd) or hugetlbfs, throughout. */
static int sc_check_buf_vmas(u64 start, u64 end)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long magic;
	int ret = 0;

	mmap_read_lock(mm);
	while (start < end) {
		vma = find_vma(mm, start);
		if (!vma || vma->vm_start > start) {
			ret = -EFAULT;
			break;
		}
		if (vma->vm_file) {
			magic = file_inode(vma->vm_file)->i_sb->s_magic;
			if (magic != TMPFS_MAGIC && magic != HUGETLBFS_MAGIC) {
				ret = -EOPNOTSUPP;
				break;
			}
		}
		start = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

static void sc_release_pages(struct sc_kbuf *kb, unsigned int nr)
{
	unsigned int i;

	if (!kb->kernel) {
		unpin_user_pages(kb->pages, nr);
		return;
	}
	for (i = 0; i < nr; i++)
		__free_page(kb->pages[i]);
}

static void sc_unpin_buf(struct sc_kbuf *kb)
{
	if (kb->pages)
		sc_release_pages(kb, kb->nr_bvecs);
	kvfree(kb->pages);
	kvfree(kb->bvec);
}

/**
 * sc_fixed_copy() - copy between a registered buffer's pages and the
 *	user memory of its range
 * @kb: the buffer
 * @buf: the first byte, a user address inside @kb
 * @count: the bytes, inside @kb
 * @to_kernel: from the user memory into the pages, else the other way
 *
 * For a kernel buffer (its content at registration; a file that takes
 * only user addresses). Return: 0 or -EFAULT.
 */
int sc_fixed_copy(const struct sc_kbuf *kb, void __user *buf, size_t count,
		  bool to_kernel)
{
	u64 off = (u64)(uintptr_t)buf - (kb->addr & PAGE_MASK);

	while (count) {
		unsigned int in = offset_in_page(off);
		size_t n = min_t(size_t, count, PAGE_SIZE - in);
		void *k = kmap_local_page(kb->pages[off >> PAGE_SHIFT]);
		unsigned long left;

		if (to_kernel)
			left = copy_from_user(k + in, buf, n);
		else
			left = copy_to_user(buf, k + in, n);
		kunmap_local(k);
		if (left)
			return -EFAULT;
		buf += n;
		off += n;
		count -= n;
	}
	return 0;
}

/* A kernel buffer's pages, with the range's content. */
static int sc_alloc_kernel_buf(struct sc_kbuf *kb, const struct syschain_buf *ub)
{
	unsigned int i;

	for (i = 0; i < kb->nr_bvecs; i++) {
		kb->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!kb->pages[i]) {
			sc_release_pages(kb, i);
			return -ENOMEM;
		}
	}
	if (sc_fixed_copy(kb, u64_to_user_ptr(ub->addr), ub->len, true)) {
		sc_release_pages(kb, kb->nr_bvecs);
		return -EFAULT;
	}
	return 0;
}

/* Pin one buffer and describe it page by page. */
static int sc_pin_buf(struct sc_registered *rc, const struct syschain_buf *ub,
		      struct sc_buf *b, struct sc_kbuf *kb)
{
	u64 start, end, left;
	unsigned int nr, i;
	long pinned;
	int ret;

	if (!ub->len || ub->flags & ~SYSCHAIN_BUF_KERNEL || ub->__reserved)
		return -EINVAL;
	if (ub->len > SZ_1G)
		return -E2BIG;
	if (check_add_overflow(ub->addr, ub->len, &end) ||
	    !access_ok(u64_to_user_ptr(ub->addr), ub->len))
		return -EFAULT;
	start = ub->addr & PAGE_MASK;
	nr = (PAGE_ALIGN(end) - start) >> PAGE_SHIFT;
	kb->kernel = ub->flags & SYSCHAIN_BUF_KERNEL;
	if (kb->kernel) {
		if (ub->len > SYSCHAIN_MAX_KERNEL_BUF - rc->kernel_bytes)
			return -E2BIG;
	} else {
		ret = sc_check_buf_vmas(start, end);
		if (!ret)
			ret = sc_account_pages(rc, nr);
		if (ret)
			return ret;
	}
	kb->pages = kvmalloc_array(nr, sizeof(*kb->pages), GFP_KERNEL_ACCOUNT);
	kb->bvec = kvmalloc_array(nr, sizeof(*kb->bvec), GFP_KERNEL_ACCOUNT);
	if (!kb->pages || !kb->bvec) {
		ret = -ENOMEM;
		goto out_free;
	}
	kb->nr_bvecs = nr;
	kb->addr = ub->addr;
	if (kb->kernel) {
		ret = sc_alloc_kernel_buf(kb, ub);
		if (ret)
			goto out_free;
		rc->kernel_bytes += ub->len;
	} else {
		pinned = pin_user_pages_fast(start, nr,
					     FOLL_WRITE | FOLL_LONGTERM,
					     kb->pages);
		if (pinned != nr) {
			if (pinned > 0)
				unpin_user_pages(kb->pages, pinned);
			ret = pinned < 0 ? pinned : -EFAULT;
			goto out_free;
		}
	}
	left = ub->len;
	for (i = 0; i < nr; i++) {
		unsigned int off = i ? 0 : offset_in_page(ub->addr);
		unsigned int len = min_t(u64, PAGE_SIZE - off, left);

		bvec_set_page(&kb->bvec[i], kb->pages[i], len, off);
		left -= len;
	}
	b->addr = ub->addr;
	b->len = ub->len;
	b->priv = kb;
	return 0;

out_free:
	kvfree(kb->pages);
	kvfree(kb->bvec);
	kb->pages = NULL;
	kb->bvec = NULL;
	kb->nr_bvecs = 0;
	return ret;
}

static void sc_free_bufs(struct sc_registered *rc)
{
	u32 i;

	for (i = 0; i < rc->chain.nr_bufs; i++)
		sc_unpin_buf(&rc->kbufs[i]);
	kfree(rc->kbufs);
	kfree(rc->bufs);
	if (rc->user) {
		atomic_long_sub(rc->locked, &rc->user->locked_vm);
		free_uid(rc->user);
	}
	if (rc->mm)
		mmdrop(rc->mm);
}

/*
 * Copy in, check and pin the buffers of a registration; on failure
 * @rep->stop_cond names the buffer at fault, and what was pinned is
 * rc's to free (sc_registered_free()).
 */
static long sc_register_bufs(struct sc_registered *rc,
			     const struct syschain_register *reg,
			     struct sc_report *rep)
{
	struct syschain_buf *ubufs;
	u32 n = reg->nr_bufs, bad = SYSCHAIN_NO_INDEX;
	long ret;

	if (reg->buf_size < SYSCHAIN_BUF_SIZE_VER0 || reg->buf_size % 8)
		return -EINVAL;
	if (n > SYSCHAIN_MAX_BUFS || reg->buf_size > PAGE_SIZE)
		return -E2BIG;
	ubufs = kmalloc_array(n, sizeof(*ubufs), GFP_KERNEL);
	rc->bufs = kcalloc(n, sizeof(*rc->bufs), GFP_KERNEL_ACCOUNT);
	rc->kbufs = kcalloc(n, sizeof(*rc->kbufs), GFP_KERNEL_ACCOUNT);
	if (!ubufs || !rc->bufs || !rc->kbufs) {
		ret = -ENOMEM;
		goto out_free_ubufs;
	}
	ret = sc_copy_array(ubufs, sizeof(*ubufs), reg->bufs_uptr,
			    reg->buf_size, n, &bad);
	if (ret) {
		rep->stop_cond = bad;
		goto out_free_ubufs;
	}
	rc->mm = current->mm;
	mmgrab(rc->mm);
	if (!capable(CAP_IPC_LOCK))
		rc->user = get_current_user();
	for (bad = 0; bad < n; bad++) {
		ret = sc_pin_buf(rc, &ubufs[bad], &rc->bufs[bad],
				 &rc->kbufs[bad]);
		if (ret) {
			rep->stop_cond = bad;
			break;
		}
		rc->chain.nr_bufs++;
	}
	rc->chain.bufs = rc->bufs;

out_free_ubufs:
	kfree(ubufs);
	return ret;
}

/**
 * sc_fixed_iter() - an iterator over registered buffer memory
 * @iter: set up to move @count bytes at @buf
 * @dir: %ITER_DEST or %ITER_SOURCE
 * @kb: the registered buffer that holds them (the engine checked it does)
 * @buf: the first byte, a user address inside @kb
 * @count: the bytes
 *
 * As io_uring's io_import_fixed(): the buffer's pages from the one that
 * holds @buf on, skipping into it.
 */
void sc_fixed_iter(struct iov_iter *iter, unsigned int dir,
		   const struct sc_kbuf *kb, const void __user *buf,
		   size_t count)
{
	u64 off = (u64)(uintptr_t)buf - (kb->addr & PAGE_MASK);
	unsigned long seg = off >> PAGE_SHIFT;
	const struct bio_vec *bv;
	size_t skip;

	if (!count) {	/* @buf may be the end of @kb, past its last page */
		iov_iter_bvec(iter, dir, kb->bvec, 0, 0);
		return;
	}
	bv = &kb->bvec[seg];
	skip = offset_in_page(off) - bv->bv_offset;
	iov_iter_bvec(iter, dir, bv, kb->nr_bvecs - seg, count + skip);
	iter->iov_offset = skip;
	iter->count = count;
}

/**
 * sc_fixed_iov_call() - run a readv or writev whose segments lie in
 *	registered buffers
 * @c: the chain
 * @def: the op
 * @args: its resolved arguments
 *
 * Reads the iovec array once and checks it (sc_check_iov()); the op then
 * uses this copy (sc_exec.fixed_iov), so that what was checked is what
 * runs. An array the syscall would refuse (none, more than UIO_MAXIOV
 * entries, unreadable) leaves the op to give the syscall's answer.
 *
 * Return: the op's result, -EFAULT for a segment outside the buffers.
 */
__s64 sc_fixed_iov_call(const struct sc_chain *c, const struct sc_opdef *def,
			const __u64 *args)
{
	const void __user *uvec = u64_to_user_ptr(args[def->fixed_iov - 1]);
	u64 n = args[def->fixed_iov];
	struct sc_iovec stack[UIO_FASTIOV], *iov = stack;
	struct sc_exec *x = c->exec;
	__s64 ret;

	BUILD_BUG_ON(sizeof(struct sc_iovec) != sizeof(struct iovec));
	BUILD_BUG_ON(SC_IOV_MAX != UIO_MAXIOV);
	if (!n || n > SC_IOV_MAX)
		return def->fn(args, x);
	if (n > ARRAY_SIZE(stack)) {
		iov = kmalloc_array(n, sizeof(*iov), GFP_KERNEL);
		if (!iov)
			return -ENOMEM;
	}
	if (copy_from_user(iov, uvec, n * sizeof(*iov))) {
		ret = def->fn(args, x);
		goto out_free;
	}
	ret = sc_check_iov(c, iov, n);
	if (ret)
		goto out_free;
	x->fixed_chain = c;
	x->fixed_iov = iov;
	x->fixed_nr = n;
	ret = def->fn(args, x);
	x->fixed_chain = NULL;
	x->fixed_iov = NULL;
	x->fixed_nr = 0;
out_free:
	if (iov != stack)
		kfree(iov);
	return ret;
}

static void sc_registered_free(struct sc_registered *rc)
{
	sc_free_bufs(rc);
	put_pid(rc->parked);
	sc_free_chain(rc->buf);
	mutex_destroy(&rc->lock);
	kfree(rc);
}

/*
 * Give @rc a file and the caller a descriptor for it. The file owns @rc
 * from then on; on failure @rc is freed.
 */
static int sc_install_chain(struct syschain_register __user *uarg,
			    struct sc_registered *rc, u32 flags)
{
	struct file *file;
	int fd, ret;

	fd = get_unused_fd_flags(O_RDWR |
				 (flags & SYSCHAIN_REGISTER_CLOEXEC ?
				  O_CLOEXEC : 0));
	if (fd < 0) {
		ret = fd;
		goto out_free_chain;
	}
	file = anon_inode_getfile("[syschain]", &sc_chain_fops, rc, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_put_fd;
	}
	/* the caller learns the descriptor before it exists in its table */
	if (put_user(fd, &uarg->fd) ||
	    put_user(SYSCHAIN_NO_INDEX, &uarg->stop_op) ||
	    put_user(SYSCHAIN_NO_INDEX, &uarg->stop_cond)) {
		put_unused_fd(fd);
		fput(file);	/* releases @rc */
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;

out_put_fd:
	put_unused_fd(fd);
out_free_chain:
	sc_registered_free(rc);
	return ret;
}

long sc_ioctl_register(struct sc_ucmd *ucmd)
{
	struct syschain_register __user *uarg = ucmd->ubuffer;
	const struct syschain_register *reg = ucmd->cmd;
	const struct sc_chain_src src = {
		.nr_ops = reg->nr_ops,
		.nr_conds = reg->nr_conds,
		.op_size = reg->op_size,
		.cond_size = reg->cond_size,
		.ops_uptr = reg->ops_uptr,
		.conds_uptr = reg->conds_uptr,
	};
	struct sc_report rep = {
		.status = SYSCHAIN_STATUS_INVALID,
		.stop_op = SYSCHAIN_NO_INDEX,
		.stop_cond = SYSCHAIN_NO_INDEX,
	};
	struct sc_registered *rc;
	long ret;

	if (reg->flags & ~SYSCHAIN_REGISTER_CLOEXEC || reg->__reserved)
		return sc_register_reject(uarg, -EINVAL, &rep);
	ret = sc_check_src(&src);
	if (ret)
		return sc_register_reject(uarg, ret, &rep);

	rc = kzalloc(sizeof(*rc), GFP_KERNEL_ACCOUNT);
	if (!rc)
		return -ENOMEM;
	mutex_init(&rc->lock);
	if (reg->nr_bufs) {
		ret = sc_register_bufs(rc, reg, &rep);
		if (ret) {
			ret = sc_register_reject(uarg, ret, &rep);
			goto out_free_bufs;
		}
	}
	ret = sc_load_chain(&src, &rc->chain, &rep, &rc->buf);
	if (ret) {
		ret = sc_register_reject(uarg, ret, &rep);
		goto out_free_bufs;
	}
	rc->ops = (struct syschain_op *)rc->chain.ops;
	return sc_install_chain(uarg, rc, reg->flags);

out_free_bufs:
	sc_free_bufs(rc);
	mutex_destroy(&rc->lock);
	kfree(rc);
	return ret;
}

/* One patch's own checks: its op, its argument, its flags. */
static int sc_check_patch(const struct sc_chain *chain,
			  const struct syschain_patch *p)
{
	const struct syschain_op *op;
	bool ref;

	if (p->op >= chain->nr_ops || p->flags & ~SYSCHAIN_PATCH_REF)
		return -EINVAL;
	op = &chain->ops[p->op];
	if (p->arg >= chain->defs[p->op]->nargs)
		return -EINVAL;
	ref = op->ref_mask & (1U << p->arg);
	if (ref != !!(p->flags & SYSCHAIN_PATCH_REF))
		return -EINVAL;
	return 0;
}

/*
 * An op that the executor checks at validation (sc_opdef.check) is
 * checked again with all of this run's patches of it applied to a copy,
 * once, at its first patch. Every patch was checked by sc_check_patch()
 * before: its argument index is within the op's.
 */
static int sc_check_patched_op(const struct sc_chain *chain,
			       const struct syschain_patch *patches, u32 n,
			       u32 i)
{
	const struct sc_opdef *def = chain->defs[patches[i].op];
	struct syschain_op op;
	u32 k;

	for (k = 0; k < i; k++)
		if (patches[k].op == patches[i].op)
			return 0;	/* done with the first of its patches */
	op = chain->ops[patches[i].op];
	for (k = i; k < n; k++)
		if (patches[k].op == patches[i].op)
			op.args[patches[k].arg] = patches[k].value;
	return def->check(&op);
}

/* Check a run's patches, each alone, then each patched op whole. */
static long sc_check_patches(const struct sc_chain *chain,
			     const struct syschain_patch *patches, u32 n,
			     struct sc_report *rep)
{
	long ret = 0;
	u32 i;

	for (i = 0; !ret && i < n; i++) {
		ret = sc_check_patch(chain, &patches[i]);
		if (ret && patches[i].op < chain->nr_ops)
			rep->stop_op = patches[i].op;
	}
	for (i = 0; !ret && i < n; i++) {
		if (!chain->defs[patches[i].op]->check)
			continue;
		ret = sc_check_patched_op(chain, patches, n, i);
		if (ret)
			rep->stop_op = patches[i].op;
	}
	return ret;
}

/*
 * Apply a run's patches to the registered chain, all or none: all are
 * checked first (on a refusal, @rep names the op).
 */
static long sc_apply_patches(struct sc_registered *rc,
			     const struct syschain_exec *ex,
			     struct sc_report *rep)
{
	struct syschain_patch stack[8], *patches = stack;
	u32 n = ex->nr_patches, bad, i;
	long ret;

	if (n > ARRAY_SIZE(stack)) {
		patches = kmalloc_array(n, sizeof(*patches), GFP_KERNEL);
		if (!patches)
			return -ENOMEM;
	}
	ret = sc_copy_array(patches, sizeof(*patches), ex->patches_uptr,
			    ex->patch_size, n, &bad);
	if (!ret)
		ret = sc_check_patches(&rc->chain, patches, n, rep);
	for (i = 0; !ret && i < n; i++)
		rc->ops[patches[i].op].args[patches[i].arg] = patches[i].value;
	if (patches != stack)
		kfree(patches);
	return ret;
}

/* The exec struct's own members. */
static long sc_check_exec(const struct syschain_exec *ex, u32 nr_ops)
{
	if (ex->__reserved || !ex->results_uptr)
		return -EINVAL;
	if (ex->nr_patches) {
		if (ex->patch_size < SYSCHAIN_PATCH_SIZE_VER0 ||
		    ex->patch_size % 8)
			return -EINVAL;
		if (ex->nr_patches > SYSCHAIN_MAX_PATCHES ||
		    ex->patch_size > PAGE_SIZE)
			return -E2BIG;
	}
	if (!access_ok(u64_to_user_ptr(ex->results_uptr),
		       array_size(nr_ops, sizeof(struct syschain_result))))
		return -EFAULT;
	return 0;
}

/* A refused run: the errno, and the op at fault in the report. */
static long sc_exec_reject(struct syschain_exec __user *uarg, long err,
			   const struct sc_report *rep)
{
	if (put_user(SYSCHAIN_STATUS_INVALID, &uarg->status) ||
	    put_user(rep->stop_op, &uarg->stop_op) ||
	    put_user(SYSCHAIN_NO_INDEX, &uarg->stop_cond))
		return -EFAULT;
	return err;
}

/*
 * Whether this resume is the run that left at a boundary last (the same
 * task and struct, as the run left it): its results are still in the
 * chain, and need not be read back. Any run forgets the parked one.
 */
static bool sc_take_parked(struct sc_registered *rc,
			   const struct syschain_exec __user *uarg,
			   const struct syschain_exec *ex)
{
	bool kept = rc->parked == task_pid(current) &&
		    rc->parked_uarg == uarg &&
		    rc->parked_results == ex->results_uptr &&
		    rc->parked_steps == ex->steps &&
		    rc->parked_stop == ex->stop_op;

	put_pid(rc->parked);
	rc->parked = NULL;
	return kept;
}

static void sc_park_run(struct sc_registered *rc,
			const struct syschain_exec __user *uarg,
			const struct syschain_exec *ex,
			const struct sc_report *rep)
{
	rc->parked = get_pid(task_pid(current));
	rc->parked_uarg = uarg;
	rc->parked_results = ex->results_uptr;
	rc->parked_steps = rep->steps;
	rc->parked_stop = rep->stop_op;
}

/*
 * The results that go back to the caller: all of them at a run's first
 * write, then only those of the ops that ran since (a chain that leaves
 * the kernel after every close writes a few, not the whole chain, each
 * time).
 */
static struct sc_results_out sc_results_range(const struct sc_registered *rc,
					       const struct sc_chain *c,
					       u64 results_uptr,
					       const struct sc_report *rep)
{
	struct syschain_result __user *u = u64_to_user_ptr(results_uptr);
	u32 lo = rc->written ? rep->lo : 0;
	u32 hi = rc->written ? rep->hi : c->nr_ops;

	if (lo >= hi)
		return (struct sc_results_out){};
	return (struct sc_results_out){
		.dst = u + lo,
		.src = c->results + lo,
		.len = (size_t)(hi - lo) * sizeof(*u),
	};
}

/*
 * Run the chain, under rc->lock: the patches, where a resumed run left,
 * the run, then the results and the report.
 */
static long sc_exec_locked(struct sc_registered *rc, struct sc_ucmd *ucmd)
{
	struct syschain_exec __user *uarg = ucmd->ubuffer;
	const struct syschain_exec *ex = ucmd->cmd;
	struct sc_exec exec = {
		.switches = ucmd->switches,
		.audit = !audit_dummy_context(),
		.own_bufs = rc->mm && rc->mm == current->mm,
	};
	struct sc_chain chain = rc->chain;
	struct sc_report rep = {
		.status = SYSCHAIN_STATUS_INVALID,
		.stop_op = SYSCHAIN_NO_INDEX,
		.stop_cond = SYSCHAIN_NO_INDEX,
	};
	struct sc_report as_read = {};
	const struct sc_results_out none = {};
	struct sc_results_out res;
	bool kept;
	long ret;
	u32 flags;

	chain.flags = ex->flags;
	chain.start = ex->stop_op;
	chain.start_steps = ex->steps;
	chain.max_steps = sc_steps_cap(ex->max_steps);
	chain.exec = &exec;
	/*
	 * The report must be writable before anything runs: write the
	 * struct's output members back as they are, changing nothing.
	 */
	as_read.steps = ex->steps;
	as_read.status = ex->status;
	as_read.stop_op = ex->stop_op;
	as_read.stop_cond = ex->stop_cond;
	if (sc_put_outcome(uarg, ucmd->user_size, SC_EXEC_STEPS, ex->flags,
			   &as_read, ex->resume_expiry, &none))
		return -EFAULT;
	ret = sc_validate_run(&chain, &rep);
	if (!ret && ex->nr_patches)
		ret = sc_apply_patches(rc, ex, &rep);
	if (ret)
		return sc_exec_reject(uarg, ret, &rep);
	if (chain.flags & SYSCHAIN_RUN_RESUME) {
		kept = sc_take_parked(rc, uarg, ex);
		ret = sc_resume_chain(&chain, kept ? 0 : ex->results_uptr,
				      ex->resume_expiry);
		if (ret)
			return ret;
		rc->written |= !kept;	/* read back: the caller has them all */
	} else {
		if (rc->parked) {
			put_pid(rc->parked);
			rc->parked = NULL;
		}
		rc->written = false;
		atomic_long_inc(&sc_chains_total);
	}

	sc_run(&chain, sc_run_env(), &rep);

	res = sc_results_range(rc, &chain, ex->results_uptr, &rep);
	flags = ex->flags & ~(SYSCHAIN_RUN_RESUME | SYSCHAIN_RUN_RESUME_EINTR);
	if (rep.restart)
		flags |= SYSCHAIN_RUN_RESUME;
	ret = sc_put_outcome(uarg, ucmd->user_size, SC_EXEC_STEPS, flags, &rep,
			     rep.restart ? exec.slept_until : 0, &res);
	if (rep.status != SYSCHAIN_STATUS_FAULT)
		rc->written = true;
	if (!rep.restart)
		trace_syschain_run(chain.nr_ops, rep.steps, rep.status,
				   rep.stop_op);
	if (ret || !rep.restart)
		return ret;
	sc_park_run(rc, uarg, ex, &rep);
	return sc_restart_code(rep.restart);
}

long sc_ioctl_exec(struct sc_ucmd *ucmd)
{
	struct sc_registered *rc = ucmd->priv;
	const struct syschain_exec *ex = ucmd->cmd;
	struct sc_report rep = { .stop_op = SYSCHAIN_NO_INDEX };
	long ret;

	ret = sc_check_exec(ex, rc->chain.nr_ops);
	if (ret)
		return sc_exec_reject(ucmd->ubuffer, ret, &rep);
	if (!mutex_trylock(&rc->lock))
		return -EBUSY;
	ret = sc_exec_locked(rc, ucmd);
	mutex_unlock(&rc->lock);
	return ret;
}

static long sc_chain_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	return sc_dispatch(file->private_data, true, cmd, arg);
}

static int sc_chain_release(struct inode *inode, struct file *file)
{
	sc_registered_free(file->private_data);
	return 0;
}

static const struct file_operations sc_chain_fops = {
	.owner = THIS_MODULE,
	.release = sc_chain_release,
	.unlocked_ioctl = sc_chain_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
