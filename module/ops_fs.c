// SPDX-License-Identifier: GPL-2.0-only
/*
 * File ops: each follows its syscall's path in fs/read_write.c and
 * fs/open.c step by step, through exported helpers and the file's own
 * file_operations, so results, errnos, file positions, fsnotify events,
 * I/O accounting and signals (SIGPIPE) are those of the syscall.
 */
#include <linux/bvec.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/fsnotify.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/sched/xacct.h>
#include "compat.h"
#include "ops.h"

/* The mode checks that open vfs_read()/vfs_write() and do_iter_read()/_write() */
static int sc_rw_mode_check(struct file *file, int type)
{
	if (type == READ) {
		if (!(file->f_mode & FMODE_READ))
			return -EBADF;
		if (!(file->f_mode & FMODE_CAN_READ))
			return -EINVAL;
	} else {
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (!(file->f_mode & FMODE_CAN_WRITE))
			return -EINVAL;
	}
	return 0;
}

/*
 * What vfs_read()/vfs_write() check before they call the file: its mode,
 * the user range, the area (locks, limits) and the count, clamped to
 * MAX_RW_COUNT.
 */
static int sc_rw_prepare(struct file *file, const void __user *buf,
			 size_t *count, loff_t *pos, int type)
{
	int ret = sc_rw_mode_check(file, type);

	if (ret)
		return ret;
	if (unlikely(!access_ok(buf, *count)))
		return -EFAULT;
	ret = rw_verify_area(type, file, pos, *count);
	if (ret)
		return ret;
	if (*count > MAX_RW_COUNT)
		*count = MAX_RW_COUNT;
	return 0;
}

/*
 * vfs_read() and vfs_write(), with the data in user memory at @buf, which
 * registered buffer @fb (NULL if none) holds pinned: the file's iterator
 * method then moves it through the pinned pages; a file that has only
 * ->read()/->write() takes it through the user addresses, as the syscall
 * gives it.
 */
static ssize_t sc_vfs_read(struct file *file, char __user *buf, size_t count,
			   loff_t *pos, const struct sc_kbuf *fb)
{
	ssize_t ret;

	ret = sc_rw_prepare(file, buf, &count, pos, READ);
	if (ret)
		return ret;

	if (file->f_op->read) {
		ret = file->f_op->read(file, buf, count, pos);
		/* a kernel buffer gets what the range's memory got */
		if (ret > 0 && fb && fb->kernel &&
		    sc_fixed_copy(fb, buf, ret, true))
			ret = -EFAULT;
	} else if (file->f_op->read_iter) {
		struct kiocb kiocb;
		struct iov_iter iter;

		init_sync_kiocb(&kiocb, file);
		kiocb.ki_pos = pos ? *pos : 0;
		if (fb)
			sc_fixed_iter(&iter, ITER_DEST, fb, buf, count);
		else
			iov_iter_ubuf(&iter, ITER_DEST, buf, count);
		ret = file->f_op->read_iter(&kiocb, &iter);
		if (WARN_ON_ONCE(ret == -EIOCBQUEUED))
			ret = -EIO;
		if (pos)
			*pos = kiocb.ki_pos;
	} else {
		ret = -EINVAL;
	}
	if (ret > 0) {
		fsnotify_access(file);
		add_rchar(current, ret);
	}
	inc_syscr(current);
	return ret;
}

static ssize_t sc_vfs_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *pos, const struct sc_kbuf *fb)
{
	ssize_t ret;

	ret = sc_rw_prepare(file, buf, &count, pos, WRITE);
	if (ret)
		return ret;

	file_start_write(file);
	if (file->f_op->write) {
		/* the range's memory gets a kernel buffer's bytes first */
		if (fb && fb->kernel &&
		    sc_fixed_copy(fb, (void __user *)buf, count, false))
			ret = -EFAULT;
		else
			ret = file->f_op->write(file, buf, count, pos);
	} else if (file->f_op->write_iter) {
		struct kiocb kiocb;
		struct iov_iter iter;

		init_sync_kiocb(&kiocb, file);
		kiocb.ki_pos = pos ? *pos : 0;
		if (fb)
			sc_fixed_iter(&iter, ITER_SOURCE, fb, buf, count);
		else
			iov_iter_ubuf(&iter, ITER_SOURCE, (void __user *)buf,
				      count);
		ret = file->f_op->write_iter(&kiocb, &iter);
		if (WARN_ON_ONCE(ret == -EIOCBQUEUED))
			ret = -EIO;
		if (ret > 0 && pos)
			*pos = kiocb.ki_pos;
	} else {
		ret = -EINVAL;
	}
	if (ret > 0) {
		fsnotify_modify(file);
		add_wchar(current, ret);
	}
	inc_syscw(current);
	file_end_write(file);
	return ret;
}

/* read() and write(): ksys_read()/ksys_write() */
static ssize_t sc_rw(unsigned int fd, void __user *buf, size_t count,
		     int type, const struct sc_kbuf *fb)
{
	struct sc_fd sf;
	struct file *file;
	loff_t pos, *ppos;
	ssize_t ret;

	file = sc_fdget_pos(fd, &sf);
	if (!file)
		return -EBADF;
	ppos = sc_file_ppos(file);
	if (ppos) {
		pos = *ppos;
		ppos = &pos;
	}
	if (type == READ)
		ret = sc_vfs_read(file, buf, count, ppos, fb);
	else
		ret = sc_vfs_write(file, buf, count, ppos, fb);
	if (ret >= 0 && ppos)
		file->f_pos = pos;
	sc_fdput_pos(&sf);
	return ret;
}

/* read(unsigned int fd, char __user *buf, size_t count) */
__s64 sc_op_read(const __u64 *args, struct sc_exec *x)
{
	return sc_rw((unsigned int)args[0], u64_to_user_ptr(args[1]), args[2],
		     READ, x->fixed);
}

/* write(unsigned int fd, const char __user *buf, size_t count) */
__s64 sc_op_write(const __u64 *args, struct sc_exec *x)
{
	return sc_rw((unsigned int)args[0], u64_to_user_ptr(args[1]), args[2],
		     WRITE, x->fixed);
}

/* pread64() and pwrite64(): ksys_pread64()/ksys_pwrite64() */
static ssize_t sc_prw(unsigned int fd, void __user *buf, size_t count,
		      loff_t pos, int type, const struct sc_kbuf *fb)
{
	struct file *file;
	struct fd f;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	f = fdget(fd);
	file = fd_file(f);
	if (!file)
		return -EBADF;
	ret = -ESPIPE;
	if (type == READ && (file->f_mode & FMODE_PREAD))
		ret = sc_vfs_read(file, buf, count, &pos, fb);
	else if (type == WRITE && (file->f_mode & FMODE_PWRITE))
		ret = sc_vfs_write(file, buf, count, &pos, fb);
	fdput(f);
	return ret;
}

/* pread64(unsigned int fd, char __user *buf, size_t count, loff_t pos) */
__s64 sc_op_pread64(const __u64 *args, struct sc_exec *x)
{
	return sc_prw((unsigned int)args[0], u64_to_user_ptr(args[1]), args[2],
		      (loff_t)args[3], READ, x->fixed);
}

/* pwrite64(unsigned int fd, const char __user *buf, size_t count, loff_t pos) */
__s64 sc_op_pwrite64(const __u64 *args, struct sc_exec *x)
{
	return sc_prw((unsigned int)args[0], u64_to_user_ptr(args[1]), args[2],
		      (loff_t)args[3], WRITE, x->fixed);
}

/* lseek(unsigned int fd, off_t offset, unsigned int whence) */
__s64 sc_op_lseek(const __u64 *args, struct sc_exec *x)
{
	unsigned int whence = (unsigned int)args[2];
	struct sc_fd sf;
	struct file *file;
	__s64 ret = -EINVAL;

	file = sc_fdget_pos((unsigned int)args[0], &sf);
	if (!file)
		return -EBADF;
	if (whence <= SEEK_MAX)
		ret = vfs_llseek(file, (loff_t)args[1], whence);
	sc_fdput_pos(&sf);
	return ret;
}

/*
 * openat(2) in fs/open.c (6.1's; 6.12 answers the same, and
 * tests/guest/test_semantics.c compares every combination of the flags
 * involved on both): build_open_how() first drops unknown flags and, with
 * O_PATH, every flag O_PATH ignores (so O_PATH | O_CREAT | O_DIRECTORY and
 * O_PATH | O_TMPFILE open a path), and the mode unless the call creates;
 * then build_open_flags() refuses with -EINVAL, in this order. Only the
 * checks below are reachable from openat(2): the others test what
 * build_open_how() already masked, or openat2(2)'s resolve flags. The
 * syscall makes them before it reads the name or allocates a descriptor,
 * so they come first here too; filp_open() masks and checks the same way
 * again. The access mode is judged by ACC_MODE(), as build_open_flags()
 * does: O_TMPFILE with access mode 3 asks for write permission and opens.
 * No combination needs refusing: filp_open() opens whatever the syscall's
 * do_filp_open() opens.
 */
#define SC_O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC) /* fs/open.c's */

/* names up to this long (with the NUL) are copied on the stack */
#define SC_SHORT_NAME 128

static int sc_open_how_flags(int flags)
{
	flags &= VALID_OPEN_FLAGS;
	if (flags & O_PATH)
		flags &= SC_O_PATH_FLAGS;
	return flags;
}

static int sc_open_flags_check(int flags)
{
	if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL;
	if (flags & __O_TMPFILE) {
		if (!(flags & O_DIRECTORY))
			return -EINVAL;
		if (!(ACC_MODE(flags) & MAY_WRITE))
			return -EINVAL;
	}
	return 0;
}

/*
 * filp_open() relative to directory descriptor @dfd, as openat(2) resolves
 * a name: the exported open helpers start a relative name from the
 * caller's working directory (filp_open()) or from a root that ".." and
 * absolute symlinks cannot leave (file_open_root()), and only the first
 * is openat(2)'s walk. So, for a relative name and a descriptor, the op
 * gives filp_open() a working directory of its own: a private fs_struct
 * with @dfd's path as pwd and the caller's root and umask stands in for
 * current->fs for the call, as io-wq once lent its workers the
 * submitter's. path_openat() then starts from the descriptor's path, as
 * path_init() does for a dfd, and everything after (".." above it,
 * symlinks, mounts, O_CREAT and its umask, O_TMPFILE, the permission and
 * LSM checks) is the syscall's own code. Absolute names ignore @dfd, as
 * path_init() does: the descriptor is not even looked up.
 *
 * Only this task reads its ->fs during the call; others read it under
 * task_lock(), which the swap takes, so none sees the private one freed.
 * Threads sharing the caller's fs_struct keep theirs. The errors are
 * path_init()'s, in its order: -EBADF for no file, -ENOTDIR for one that
 * is not a directory (an O_PATH descriptor is a directory like another).
 */
static struct file *sc_filp_openat(int dfd, const char *name, int flags,
				   umode_t mode)
{
	struct fs_struct *fs, *caller_fs;
	struct file *dir, *file;

	if (dfd == AT_FDCWD || *name == '/')
		return filp_open(name, flags, mode);

	dir = fget_raw(dfd);
	if (!dir)
		return ERR_PTR(-EBADF);
	if (!d_can_lookup(dir->f_path.dentry)) {
		fput(dir);
		return ERR_PTR(-ENOTDIR);
	}
	fs = kzalloc(sizeof(*fs), GFP_KERNEL_ACCOUNT);
	if (!fs) {
		fput(dir);
		return ERR_PTR(-ENOMEM);
	}
	fs->users = 1;
	spin_lock_init(&fs->lock);
	seqcount_spinlock_init(&fs->seq, &fs->lock);
	fs->pwd = dir->f_path;
	path_get(&fs->pwd);
	fput(dir);

	caller_fs = current->fs;
	spin_lock(&caller_fs->lock);
	fs->root = caller_fs->root;
	path_get(&fs->root);
	fs->umask = caller_fs->umask;
	spin_unlock(&caller_fs->lock);

	task_lock(current);
	current->fs = fs;
	task_unlock(current);

	file = filp_open(name, flags, mode);

	task_lock(current);
	current->fs = caller_fs;
	task_unlock(current);

	path_put(&fs->root);
	path_put(&fs->pwd);
	kfree(fs);
	return file;
}

/*
 * The name to open, copied from the caller as getname() copies it, into
 * @buf when it fits there (most names do), else into a names_cache
 * buffer of PATH_MAX, which *@namep then points to (for __putname()).
 * filp_open() copies the name again into a names_cache buffer of its own
 * (getname_kernel(): the only exported way in), and the kernel's
 * allocations are zeroed (init_on_alloc): a second 4 KiB buffer per open
 * would make the op cost more than the syscall it stands for.
 * Return: the name's length, or -errno.
 */
static long sc_open_name(const char __user *filename, char *buf, size_t size,
			 char **namep)
{
	long len;

	*namep = buf;
	len = strncpy_from_user(buf, filename, size);
	if (len == (long)size) {
		*namep = __getname();
		if (!*namep) {
			*namep = buf;
			return -ENOMEM;
		}
		len = strncpy_from_user(*namep, filename, PATH_MAX);
		if (len == PATH_MAX)
			return -ENAMETOOLONG;
	}
	if (!len)
		return -ENOENT;
	return len;
}

/* openat(int dfd, const char __user *filename, int flags, umode_t mode) */
__s64 sc_op_openat(const __u64 *args, struct sc_exec *x)
{
	const char __user *filename = u64_to_user_ptr(args[1]);
	int flags = sc_open_how_flags((int)args[2] | O_LARGEFILE);
	umode_t mode = (umode_t)args[3];
	char short_name[SC_SHORT_NAME];
	struct file *file;
	char *name;
	long len;
	int fd;

	fd = sc_open_flags_check(flags);
	if (fd)
		return fd;

	len = sc_open_name(filename, short_name, sizeof(short_name), &name);
	if (len < 0) {
		fd = len;
		goto out_free_name;
	}
	fd = get_unused_fd_flags(flags);
	if (fd < 0)
		goto out_free_name;
	file = sc_filp_openat((int)args[0], name, flags, mode);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto out_free_name;
	}
	sc_fsnotify_open(file);
	fd_install(fd, file);

out_free_name:
	if (name != short_name)
		__putname(name);
	return fd;
}

/*
 * close(unsigned int fd): from 6.6 on, the syscall releases the file at
 * once (__fput_sync()), and so does the op from 6.8 on (sc_close_fd());
 * otherwise the final fput is task work that runs on the way back to user
 * mode, which the chain crosses at the next op boundary (engine_kernel.h).
 */
__s64 sc_op_close(const __u64 *args, struct sc_exec *x)
{
	unsigned int fd = (unsigned int)args[0];
	struct fd f = fdget(fd);
	int retval;

	/* not the device a chain runs through (sc_is_syschain_file()) */
	if (fd_file(f) && sc_is_syschain_file(fd_file(f))) {
		fdput(f);
		return -EBADF;
	}
	fdput(f);
	retval = sc_close_fd(fd);

	/* can't restart close syscall because file table entry was cleared */
	if (unlikely(retval == -ERESTARTSYS || retval == -ERESTARTNOINTR ||
		     retval == -ERESTARTNOHAND ||
		     retval == -ERESTART_RESTARTBLOCK))
		retval = -EINTR;
	return retval;
}

/*
 * do_iter_read()/do_iter_write() of fs/read_write.c, which readv(2) and
 * writev(2) use. (vfs_iter_read()/vfs_iter_write() are exported, but they
 * refuse files without ->read_iter/->write_iter and, depending on the
 * kernel, take sb_start_write() themselves or leave it to the caller.)
 */
static ssize_t sc_loop_rw(struct file *file, struct iov_iter *iter,
			  loff_t *ppos, int type)
{
	ssize_t ret = 0;

	while (iov_iter_count(iter)) {
		struct iovec iovec = sc_iter_iovec(iter);
		ssize_t nr;

		if (type == READ)
			nr = file->f_op->read(file, iovec.iov_base,
					      iovec.iov_len, ppos);
		else
			nr = file->f_op->write(file, iovec.iov_base,
					       iovec.iov_len, ppos);
		if (nr < 0) {
			if (!ret)
				ret = nr;
			break;
		}
		ret += nr;
		if (nr != iovec.iov_len)
			break;
		iov_iter_advance(iter, nr);
	}
	return ret;
}

static ssize_t sc_iter_rw(struct file *file, struct iov_iter *iter,
			  loff_t *ppos, int type)
{
	struct kiocb kiocb;
	ssize_t ret;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = ppos ? *ppos : 0;
	if (type == READ)
		ret = file->f_op->read_iter(&kiocb, iter);
	else
		ret = file->f_op->write_iter(&kiocb, iter);
	if (WARN_ON_ONCE(ret == -EIOCBQUEUED))
		ret = -EIO;
	if (ppos)
		*ppos = kiocb.ki_pos;
	return ret;
}

/* do_iter_read() (type READ) and do_iter_write() (type WRITE) */
static ssize_t sc_do_iter_rw(struct file *file, struct iov_iter *iter,
			     loff_t *pos, int type)
{
	size_t tot_len;
	ssize_t ret;

	ret = sc_rw_mode_check(file, type);
	if (ret)
		return ret;
	tot_len = iov_iter_count(iter);
	if (!tot_len) {
		/* a read of nothing still sends FS_ACCESS, a write nothing */
		if (type == READ)
			fsnotify_access(file);
		return 0;
	}
	ret = rw_verify_area(type, file, pos, tot_len);
	if (ret < 0)
		return ret;
	if (type == WRITE && sc_rwv_mode_first())
		file_start_write(file);
	if (type == READ ? !!file->f_op->read_iter : !!file->f_op->write_iter)
		ret = sc_iter_rw(file, iter, pos, type);
	else
		ret = sc_loop_rw(file, iter, pos, type);
	if (type == READ) {
		if (ret >= 0)
			fsnotify_access(file);
	} else {
		if (ret > 0)
			fsnotify_modify(file);
		if (sc_rwv_mode_first())
			file_end_write(file);
	}
	return ret;
}

static bool sc_has_iter_method(struct file *file, int type)
{
	return type == READ ? !!file->f_op->read_iter : !!file->f_op->write_iter;
}

/* The registered buffer that sc_check_iov() found for a segment. */
static const struct sc_kbuf *sc_seg_buf(const struct sc_exec *x,
					const struct iovec *seg)
{
	return sc_find_buf(x->fixed_chain, (u64)(uintptr_t)seg->iov_base,
			   seg->iov_len)->priv;
}

/*
 * import_iovec() for a readv or writev on registered buffers: the array
 * as sc_fixed_iov_call() read and checked it (its lengths at most 1 GiB
 * each, its ranges in user space), cut at MAX_RW_COUNT in all as
 * import_iovec() cuts it; an iterator over the buffers' pages when the
 * file has an iterator method and the caller's address space is the
 * buffers', else over the user addresses. *@iovp and *@bvp are the
 * caller's to free.
 */
static ssize_t sc_fixed_import(const struct sc_exec *x, struct file *file,
			       int type, struct iov_iter *iter,
			       struct iovec **iovp, struct bio_vec **bvp)
{
	unsigned int dir = type == READ ? ITER_DEST : ITER_SOURCE;
	u32 n = x->fixed_nr, i, nbv = 0;
	struct bio_vec *bv;
	struct iovec *iov;
	size_t total = 0;

	iov = kmalloc_array(n, sizeof(*iov), GFP_KERNEL);
	if (!iov)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		size_t len = min_t(u64, x->fixed_iov[i].len,
				   MAX_RW_COUNT - total);

		iov[i].iov_base = u64_to_user_ptr(x->fixed_iov[i].base);
		iov[i].iov_len = len;
		total += len;
	}
	*iovp = iov;
	if (!x->own_bufs || !sc_has_iter_method(file, type)) {
		iov_iter_init(iter, dir, iov, n, total);
		return total;
	}
	for (i = 0; i < n; i++) {
		const struct sc_kbuf *kb;
		u64 off;

		if (!iov[i].iov_len)
			continue;
		kb = sc_seg_buf(x, &iov[i]);
		off = (u64)(uintptr_t)iov[i].iov_base - (kb->addr & PAGE_MASK);
		nbv += DIV_ROUND_UP(offset_in_page(off) + iov[i].iov_len,
				    PAGE_SIZE);
	}
	bv = kvmalloc_array(nbv ?: 1, sizeof(*bv), GFP_KERNEL);
	if (!bv)
		return -ENOMEM;
	*bvp = bv;
	for (i = 0; i < n; i++) {
		size_t left = iov[i].iov_len;
		const struct sc_kbuf *kb;
		u64 off;

		if (!left)
			continue;
		kb = sc_seg_buf(x, &iov[i]);
		off = (u64)(uintptr_t)iov[i].iov_base - (kb->addr & PAGE_MASK);
		while (left) {
			unsigned int in = offset_in_page(off);
			size_t len = min_t(size_t, left, PAGE_SIZE - in);

			bvec_set_page(bv++, kb->pages[off >> PAGE_SHIFT], len,
				      in);
			off += len;
			left -= len;
		}
	}
	iov_iter_bvec(iter, dir, *bvp, nbv, total);
	return total;
}

/*
 * A file without an iterator method takes a kernel buffer's bytes through
 * the range's user memory (uapi "Registered buffers"): copied there
 * before a write, from there after a read, @len bytes in all.
 */
static int sc_fixed_iov_bounce(const struct sc_exec *x, const struct iovec *iov,
			       size_t len, bool to_kernel)
{
	u32 i;

	for (i = 0; i < x->fixed_nr && len; i++) {
		size_t n = min(len, iov[i].iov_len);
		const struct sc_kbuf *kb;

		if (!n)
			continue;
		kb = sc_seg_buf(x, &iov[i]);
		if (kb->kernel && sc_fixed_copy(kb, iov[i].iov_base, n,
						to_kernel))
			return -EFAULT;
		len -= n;
	}
	return 0;
}

/* readv() and writev(): do_readv()/do_writev() */
static ssize_t sc_rwv(unsigned int fd, const struct iovec __user *vec,
		      unsigned long vlen, int type, const struct sc_exec *x)
{
	struct iovec iovstack[UIO_FASTIOV];
	struct iovec *iov = iovstack;
	struct bio_vec *bvec = NULL;
	struct iov_iter iter;
	struct sc_fd sf;
	struct file *file;
	loff_t pos, *ppos;
	bool bounce;
	ssize_t ret;

	file = sc_fdget_pos(fd, &sf);
	if (!file) {
		ret = -EBADF;
		goto out_account;	/* the syscall counts the call even so */
	}
	ppos = sc_file_ppos(file);
	if (ppos) {
		pos = *ppos;
		ppos = &pos;
	}
	ret = sc_rwv_mode_first() ? sc_rw_mode_check(file, type) : 0;
	if (!ret && x->fixed_iov) {
		iov = NULL;
		ret = sc_fixed_import(x, file, type, &iter, &iov, &bvec);
	} else if (!ret) {
		ret = import_iovec(type == READ ? ITER_DEST : ITER_SOURCE, vec,
				   vlen, ARRAY_SIZE(iovstack), &iov, &iter);
	}
	bounce = ret >= 0 && x->fixed_iov && x->own_bufs &&
		 !sc_has_iter_method(file, type);
	if (bounce && type == WRITE)
		ret = sc_fixed_iov_bounce(x, iov, ret, false) ?: ret;
	if (ret >= 0) {
		/* before 6.8, vfs_writev() holds freeze protection throughout */
		if (type == WRITE && !sc_rwv_mode_first())
			file_start_write(file);
		ret = sc_do_iter_rw(file, &iter, ppos, type);
		if (type == WRITE && !sc_rwv_mode_first())
			file_end_write(file);
		if (bounce && type == READ && ret > 0 &&
		    sc_fixed_iov_bounce(x, iov, ret, true))
			ret = -EFAULT;
	}
	if (iov != iovstack)
		kfree(iov);
	kvfree(bvec);
	if (ret >= 0 && ppos)
		file->f_pos = pos;
	sc_fdput_pos(&sf);

out_account:
	if (type == READ) {
		if (ret > 0)
			add_rchar(current, ret);
		inc_syscr(current);
	} else {
		if (ret > 0)
			add_wchar(current, ret);
		inc_syscw(current);
	}
	return ret;
}

/*
 * Ops take the native layouts whatever the caller's ABI, but
 * import_iovec() reads 32-bit iovecs when called from a compat task: a
 * 32-bit caller's readv/writev are refused rather than read either way.
 */
int sc_check_readv(const struct syschain_op *op)
{
	return in_compat_syscall() ? -EOPNOTSUPP : 0;
}

int sc_check_writev(const struct syschain_op *op)
{
	return in_compat_syscall() ? -EOPNOTSUPP : 0;
}

/* readv(unsigned long fd, const struct iovec __user *vec, unsigned long vlen) */
__s64 sc_op_readv(const __u64 *args, struct sc_exec *x)
{
	return sc_rwv((unsigned int)args[0], u64_to_user_ptr(args[1]), args[2],
		      READ, x);
}

/* writev(unsigned long fd, const struct iovec __user *vec, unsigned long vlen) */
__s64 sc_op_writev(const __u64 *args, struct sc_exec *x)
{
	return sc_rwv((unsigned int)args[0], u64_to_user_ptr(args[1]), args[2],
		      WRITE, x);
}

/* fsync() and fdatasync(): do_fsync() */
static int sc_do_fsync(unsigned int fd, int datasync)
{
	struct fd f = fdget(fd);
	int ret = -EBADF;

	if (fd_file(f)) {
		ret = vfs_fsync(fd_file(f), datasync);
		fdput(f);
	}
	return ret;
}

/* fsync(unsigned int fd) */
__s64 sc_op_fsync(const __u64 *args, struct sc_exec *x)
{
	return sc_do_fsync((unsigned int)args[0], 0);
}

/* fdatasync(unsigned int fd) */
__s64 sc_op_fdatasync(const __u64 *args, struct sc_exec *x)
{
	return sc_do_fsync((unsigned int)args[0], 1);
}

/* fallocate(int fd, int mode, loff_t offset, loff_t len) */
__s64 sc_op_fallocate(const __u64 *args, struct sc_exec *x)
{
	struct fd f = fdget((unsigned int)(int)args[0]);
	int error = -EBADF;

	if (fd_file(f)) {
		error = vfs_fallocate(fd_file(f), (int)args[1],
				      (loff_t)args[2], (loff_t)args[3]);
		fdput(f);
	}
	return error;
}

/* fadvise64(int fd, loff_t offset, size_t len, int advice) */
__s64 sc_op_fadvise64(const __u64 *args, struct sc_exec *x)
{
	struct fd f = fdget((unsigned int)(int)args[0]);
	int ret;

	if (!fd_file(f))
		return -EBADF;
	ret = vfs_fadvise(fd_file(f), (loff_t)args[1], (size_t)args[2],
			  (int)args[3]);
	fdput(f);
	return ret;
}

/*
 * copy_file_range(int fd_in, loff_t __user *off_in, int fd_out,
 *		   loff_t __user *off_out, size_t len, unsigned int flags)
 */
__s64 sc_op_copy_file_range(const __u64 *args, struct sc_exec *x)
{
	loff_t __user *off_in = u64_to_user_ptr(args[1]);
	loff_t __user *off_out = u64_to_user_ptr(args[3]);
	struct file *in, *out;
	loff_t pos_in, pos_out;
	struct fd f_in, f_out;
	ssize_t ret = -EBADF;

	f_in = fdget((unsigned int)(int)args[0]);
	in = fd_file(f_in);
	if (!in)
		return -EBADF;
	f_out = fdget((unsigned int)(int)args[2]);
	out = fd_file(f_out);
	if (!out)
		goto out_put_in;

	ret = -EFAULT;
	if (off_in) {
		if (copy_from_user(&pos_in, off_in, sizeof(loff_t)))
			goto out_put_out;
	} else {
		pos_in = in->f_pos;
	}
	if (off_out) {
		if (copy_from_user(&pos_out, off_out, sizeof(loff_t)))
			goto out_put_out;
	} else {
		pos_out = out->f_pos;
	}

	ret = -EINVAL;
	if ((unsigned int)args[5] != 0)
		goto out_put_out;

	ret = vfs_copy_file_range(in, pos_in, out, pos_out, (size_t)args[4], 0);
	if (ret > 0) {
		pos_in += ret;
		pos_out += ret;
		if (off_in) {
			if (copy_to_user(off_in, &pos_in, sizeof(loff_t)))
				ret = -EFAULT;
		} else {
			in->f_pos = pos_in;
		}
		if (off_out) {
			if (copy_to_user(off_out, &pos_out, sizeof(loff_t)))
				ret = -EFAULT;
		} else {
			out->f_pos = pos_out;
		}
	}
out_put_out:
	fdput(f_out);
out_put_in:
	fdput(f_in);
	return ret;
}

/*
 * truncate(const char __user *path, long length): do_sys_truncate() of
 * fs/open.c. vfs_truncate() makes the syscall's checks (a directory
 * EISDIR, inode_permission(MAY_WRITE), the mount's write access,
 * append-only and immutable files EPERM, leases, locks),
 * security_path_truncate() and the size change with its IN_MODIFY itself.
 */
__s64 sc_op_truncate(const __u64 *args, struct sc_exec *x)
{
	unsigned int lookup_flags = LOOKUP_FOLLOW;
	loff_t length = (long)args[1];
	struct path path;
	int error;

	if (length < 0)
		return -EINVAL;
retry:
	error = user_path_at(AT_FDCWD, u64_to_user_ptr(args[0]), lookup_flags,
			     &path);
	if (!error) {
		error = vfs_truncate(&path, length);
		path_put(&path);
	}
	if (retry_estale(error, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
	return error;
}
