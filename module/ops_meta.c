// SPDX-License-Identifier: GPL-2.0-only
/*
 * Metadata and directories: fstat, newfstatat, getdents64, mkdirat,
 * faccessat, faccessat2, statfs, fstatfs, getcwd, following fs/stat.c,
 * fs/readdir.c, fs/namei.c, fs/open.c, fs/statfs.c and fs/d_path.c.
 * Paths are resolved with user_path_at(), relative to the directory
 * descriptor exactly as the syscalls resolve them.
 */
#include <linux/fs.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dirent.h>
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/highuid.h>
#include <linux/kdev_t.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sched/signal.h>
#include <linux/securebits.h>
#include <linux/security.h>
#include <linux/statfs.h>
#include <linux/stat.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "ops.h"

#ifndef INIT_STRUCT_STAT_PADDING
#define INIT_STRUCT_STAT_PADDING(st) memset(&(st), 0, sizeof(st))
#endif

/* cp_new_stat() of fs/stat.c, for the native struct stat */
static int sc_cp_new_stat(struct kstat *stat, struct stat __user *statbuf)
{
	struct stat tmp;

	if (sizeof(tmp.st_dev) < 4 && !old_valid_dev(stat->dev))
		return -EOVERFLOW;
	if (sizeof(tmp.st_rdev) < 4 && !old_valid_dev(stat->rdev))
		return -EOVERFLOW;

	INIT_STRUCT_STAT_PADDING(tmp);
	tmp.st_dev = new_encode_dev(stat->dev);
	tmp.st_ino = stat->ino;
	if (sizeof(tmp.st_ino) < sizeof(stat->ino) && tmp.st_ino != stat->ino)
		return -EOVERFLOW;
	tmp.st_mode = stat->mode;
	tmp.st_nlink = stat->nlink;
	if (tmp.st_nlink != stat->nlink)
		return -EOVERFLOW;
	SET_UID(tmp.st_uid, from_kuid_munged(current_user_ns(), stat->uid));
	SET_GID(tmp.st_gid, from_kgid_munged(current_user_ns(), stat->gid));
	tmp.st_rdev = new_encode_dev(stat->rdev);
	tmp.st_size = stat->size;
	tmp.st_atime = stat->atime.tv_sec;
	tmp.st_mtime = stat->mtime.tv_sec;
	tmp.st_ctime = stat->ctime.tv_sec;
	tmp.st_atime_nsec = stat->atime.tv_nsec;
	tmp.st_mtime_nsec = stat->mtime.tv_nsec;
	tmp.st_ctime_nsec = stat->ctime.tv_nsec;
	tmp.st_blocks = stat->blocks;
	tmp.st_blksize = stat->blksize;
	return copy_to_user(statbuf, &tmp, sizeof(tmp)) ? -EFAULT : 0;
}

/* vfs_fstat(): fdget_raw() is not exported everywhere, fget_raw() is. */
static int sc_vfs_fstat(unsigned int fd, struct kstat *stat)
{
	struct file *file = fget_raw(fd);
	int error;

	if (!file)
		return -EBADF;
	error = vfs_getattr(&file->f_path, stat, STATX_BASIC_STATS, 0);
	fput(file);
	return error;
}

/* fstat(unsigned int fd, struct stat __user *statbuf) */
__s64 sc_op_fstat(const __u64 *args, struct sc_exec *x)
{
	struct kstat stat;
	int error;

	error = sc_vfs_fstat((unsigned int)args[0], &stat);
	if (!error)
		error = sc_cp_new_stat(&stat, u64_to_user_ptr(args[1]));
	return error;
}

#define SC_FSTATAT_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | \
			  AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)

/* vfs_statx() for newfstatat(): the lookup, then vfs_getattr() */
static int sc_vfs_fstatat(int dfd, const char __user *filename,
			  struct kstat *stat, int flags)
{
	unsigned int lookup_flags = 0;
	struct path path;
	int error;

	if (sc_fstatat_null_is_empty(filename, flags) && dfd >= 0)
		return sc_vfs_fstat(dfd, stat);
	flags |= AT_NO_AUTOMOUNT;
	if (flags & ~SC_FSTATAT_FLAGS)
		return -EINVAL;

	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lookup_flags |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup_flags |= LOOKUP_EMPTY;
retry:
	error = user_path_at(dfd, filename, lookup_flags, &path);
	if (error)
		return error;
	error = vfs_getattr(&path, stat, STATX_BASIC_STATS, flags);
	path_put(&path);
	if (retry_estale(error, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
	return error;
}

/* newfstatat(int dfd, const char __user *filename, struct stat __user *statbuf, int flag) */
__s64 sc_op_newfstatat(const __u64 *args, struct sc_exec *x)
{
	struct kstat stat;
	int error;

	error = sc_vfs_fstatat((int)args[0], u64_to_user_ptr(args[1]), &stat,
			       (int)args[3]);
	if (!error)
		error = sc_cp_new_stat(&stat, u64_to_user_ptr(args[2]));
	return error;
}

/* filldir64() and getdents64() of fs/readdir.c */
struct sc_getdents {
	struct dir_context ctx;
	struct linux_dirent64 __user *current_dir;
	int prev_reclen;
	int count;
	int error;
};

static int sc_verify_dirent_name(const char *name, int len)
{
	if (len <= 0 || len >= PATH_MAX)
		return -EIO;
	if (memchr(name, '/', len))
		return -EIO;
	return 0;
}

static bool sc_filldir64(struct dir_context *ctx, const char *name, int namlen,
			 loff_t offset, u64 ino, unsigned int d_type)
{
	struct sc_getdents *buf = container_of(ctx, struct sc_getdents, ctx);
	struct linux_dirent64 __user *dirent, *prev;
	int reclen = ALIGN(offsetof(struct linux_dirent64, d_name) + namlen + 1,
			   sizeof(u64));
	int prev_reclen;

	buf->error = sc_verify_dirent_name(name, namlen);
	if (unlikely(buf->error))
		return false;
	buf->error = -EINVAL;	/* only used if we fail */
	if (reclen > buf->count)
		return false;
	prev_reclen = buf->prev_reclen;
	if (prev_reclen && signal_pending(current))
		return false;
	dirent = buf->current_dir;
	prev = (void __user *)dirent - prev_reclen;
	if (!user_write_access_begin(prev, reclen + prev_reclen))
		goto efault;

	/* This might be 'dirent->d_off', but if so it will get overwritten */
	unsafe_put_user(offset, &prev->d_off, efault_end);
	unsafe_put_user(ino, &dirent->d_ino, efault_end);
	unsafe_put_user(reclen, &dirent->d_reclen, efault_end);
	unsafe_put_user(d_type, &dirent->d_type, efault_end);
	unsafe_copy_to_user(dirent->d_name, name, namlen, efault_end);
	unsafe_put_user(0, dirent->d_name + namlen, efault_end);
	user_write_access_end();

	buf->prev_reclen = reclen;
	buf->current_dir = (void __user *)dirent + reclen;
	buf->count -= reclen;
	return true;

efault_end:
	user_write_access_end();
efault:
	buf->error = -EFAULT;
	return false;
}

/* getdents64(unsigned int fd, struct linux_dirent64 __user *dirent, unsigned int count) */
__s64 sc_op_getdents64(const __u64 *args, struct sc_exec *x)
{
	unsigned int count = (unsigned int)args[2];
	struct sc_getdents buf = {
		.ctx.actor = sc_filldir64,
		.count = count,
		.current_dir = u64_to_user_ptr(args[1]),
	};
	struct sc_fd sf;
	struct file *file;
	int error;

	file = sc_fdget_pos((unsigned int)args[0], &sf);
	if (!file)
		return -EBADF;

	error = iterate_dir(file, &buf.ctx);
	if (error >= 0)
		error = buf.error;
	if (buf.prev_reclen) {
		struct linux_dirent64 __user *lastdirent;
		typeof(lastdirent->d_off) d_off = buf.ctx.pos;

		lastdirent = (void __user *)buf.current_dir - buf.prev_reclen;
		if (put_user(d_off, &lastdirent->d_off))
			error = -EFAULT;
		else
			error = count - buf.count;
	}
	sc_fdput_pos(&sf);
	return error;
}

/* mode_strip_umask() of fs/namei.c: the umask applies unless POSIX ACLs do */
static umode_t sc_mode_strip_umask(const struct inode *dir, umode_t mode)
{
	if (!IS_POSIXACL(dir))
		mode &= ~current_umask();
	return mode;
}

/* mkdirat(int dfd, const char __user *pathname, umode_t mode): do_mkdirat() */
__s64 sc_op_mkdirat(const __u64 *args, struct sc_exec *x)
{
	const char __user *pathname = u64_to_user_ptr(args[1]);
	unsigned int lookup_flags = LOOKUP_DIRECTORY;
	umode_t mode = (umode_t)args[2];
	struct dentry *dentry;
	struct path path;
	int error;

retry:
	dentry = user_path_create((int)args[0], pathname, &path, lookup_flags);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);

	error = security_path_mkdir(&path, dentry,
				    sc_mode_strip_umask(path.dentry->d_inode,
							 mode));
	if (!error)
		error = vfs_mkdir(sc_mnt_map(path.mnt), path.dentry->d_inode,
				  dentry, mode);
	done_path_create(&path, dentry);
	if (retry_estale(error, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
	return error;
}

/*
 * access_override_creds() of fs/open.c: check with the real uid/gid as
 * the fs ids, with the capabilities a switch to the real uid leaves
 * (none for a non-root uid, the permitted set for root), unless
 * SECURE_NO_SETUID_FIXUP. The credentials are only ever the subjective
 * ones of this task, so they need no RCU freeing.
 */
static const struct cred *sc_access_override_creds(void)
{
	const struct cred *old_cred;
	struct cred *override_cred;

	override_cred = prepare_creds();
	if (!override_cred)
		return NULL;

	override_cred->fsuid = override_cred->uid;
	override_cred->fsgid = override_cred->gid;

	if (!issecure(SECURE_NO_SETUID_FIXUP)) {
		/* Clear the capabilities if we switch to a non-root user */
		kuid_t root_uid = make_kuid(override_cred->user_ns, 0);

		if (!uid_eq(override_cred->uid, root_uid))
			cap_clear(override_cred->cap_effective);
		else
			override_cred->cap_effective =
				override_cred->cap_permitted;
	}

	override_cred->non_rcu = 1;

	old_cred = override_creds(override_cred);

	/* override_creds() gets its own ref */
	put_cred(override_cred);

	return old_cred;
}

/* path_noexec() of fs/exec.c, not exported */
static bool sc_path_noexec(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) ||
	       (path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/* do_faccessat() of fs/open.c */
static int sc_do_faccessat(int dfd, const char __user *filename, int mode,
			   int flags)
{
	struct path path;
	struct inode *inode;
	int res;
	unsigned int lookup_flags = LOOKUP_FOLLOW;
	const struct cred *old_cred = NULL;

	/* mode & ~S_IRWXO: where's F_OK, X_OK, W_OK, R_OK? */
	if (mode & ~0007)
		return -EINVAL;

	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;

	if (flags & AT_SYMLINK_NOFOLLOW)
		lookup_flags &= ~LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lookup_flags |= LOOKUP_EMPTY;

	if (sc_access_need_override_creds(flags)) {
		old_cred = sc_access_override_creds();
		if (!old_cred)
			return -ENOMEM;
	}

retry:
	res = user_path_at(dfd, filename, lookup_flags, &path);
	if (res)
		goto out;

	inode = d_backing_inode(path.dentry);

	if ((mode & MAY_EXEC) && S_ISREG(inode->i_mode)) {
		/*
		 * MAY_EXEC on regular files is denied if the fs is mounted
		 * with the "noexec" flag.
		 */
		res = -EACCES;
		if (sc_path_noexec(&path))
			goto out_path_release;
	}

	res = inode_permission(sc_mnt_map(path.mnt), inode, mode | MAY_ACCESS);
	/* SuS v2 requires we report a read only fs too */
	if (res || !(mode & 0002 /* S_IWOTH */) || special_file(inode->i_mode))
		goto out_path_release;
	/*
	 * As the syscall: __mnt_is_readonly() without a
	 * mnt_want_write()/mnt_drop_write() pair, since nothing is written;
	 * the answer is inherently racy.
	 */
	if (__mnt_is_readonly(path.mnt))
		res = -EROFS;

out_path_release:
	path_put(&path);
	if (retry_estale(res, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
out:
	if (old_cred)
		revert_creds(old_cred);

	return res;
}

/* faccessat(int dfd, const char __user *filename, int mode) */
__s64 sc_op_faccessat(const __u64 *args, struct sc_exec *x)
{
	return sc_do_faccessat((int)args[0], u64_to_user_ptr(args[1]),
			       (int)args[2], 0);
}

/* faccessat2(int dfd, const char __user *filename, int mode, int flags) */
__s64 sc_op_faccessat2(const __u64 *args, struct sc_exec *x)
{
	return sc_do_faccessat((int)args[0], u64_to_user_ptr(args[1]),
			       (int)args[2], (int)args[3]);
}

/*
 * do_statfs_native() of fs/statfs.c where struct statfs is struct kstatfs
 * (every 64-bit architecture): a copy. vfs_statfs() zeroed the whole
 * struct before the file system filled it in, so nothing else goes out.
 */
static int sc_statfs_native(const struct kstatfs *st, struct statfs __user *p)
{
	struct statfs buf;

	BUILD_BUG_ON(sizeof(buf) != sizeof(*st));
	memcpy(&buf, st, sizeof(*st));
	return copy_to_user(p, &buf, sizeof(buf)) ? -EFAULT : 0;
}

/*
 * statfs(const char __user *pathname, struct statfs __user *buf):
 * user_statfs(), the name followed and automounts triggered, then
 * vfs_statfs() (security_sb_statfs() inside)
 */
__s64 sc_op_statfs(const __u64 *args, struct sc_exec *x)
{
	unsigned int lookup_flags = LOOKUP_FOLLOW | LOOKUP_AUTOMOUNT;
	struct kstatfs st;
	struct path path;
	int error;

retry:
	error = user_path_at(AT_FDCWD, u64_to_user_ptr(args[0]), lookup_flags,
			     &path);
	if (error)
		return error;
	error = vfs_statfs(&path, &st);
	path_put(&path);
	if (retry_estale(error, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
	if (!error)
		error = sc_statfs_native(&st, u64_to_user_ptr(args[1]));
	return error;
}

/*
 * fstatfs(unsigned int fd, struct statfs __user *buf): fd_statfs(), an
 * O_PATH descriptor included (fdget_raw(); fget_raw() here, exported)
 */
__s64 sc_op_fstatfs(const __u64 *args, struct sc_exec *x)
{
	struct file *file = fget_raw((unsigned int)args[0]);
	struct kstatfs st;
	int error;

	if (!file)
		return -EBADF;
	error = vfs_statfs(&file->f_path, &st);
	fput(file);
	if (!error)
		error = sc_statfs_native(&st, u64_to_user_ptr(args[1]));
	return error;
}

/*
 * getcwd(char __user *buf, unsigned long size): fs/d_path.c's, with
 * d_path() (E/E) for its prepend_path(). The root and the working
 * directory are taken together under fs->lock, as the syscall's
 * get_fs_root_and_pwd_rcu() takes them. A working directory the root
 * cannot reach (a chroot below it, a detached mount) is where the syscall
 * writes "(unreachable)" in front of the name and d_path() does not:
 * -EOPNOTSUPP, a call this module refuses (README). One unlinked while
 * d_path() ran is -ENOENT, as if the syscall had run a moment later.
 */
__s64 sc_op_getcwd(const __u64 *args, struct sc_exec *x)
{
	char __user *buf = u64_to_user_ptr(args[0]);
	unsigned long size = args[1];
	struct fs_struct *fs = current->fs;
	struct path pwd, root;
	unsigned long len;
	char *page, *p;
	long error;

	page = __getname();
	if (!page)
		return -ENOMEM;
	spin_lock(&fs->lock);
	root = fs->root;
	path_get(&root);
	pwd = fs->pwd;
	path_get(&pwd);
	spin_unlock(&fs->lock);

	if (unlikely(d_unlinked(pwd.dentry))) {
		error = -ENOENT;
		goto out_put_paths;
	}
	if (unlikely(!path_is_under(&pwd, &root))) {
		error = -EOPNOTSUPP;
		goto out_put_paths;
	}
	p = d_path(&pwd, page, PATH_MAX);
	if (IS_ERR(p)) {
		error = PTR_ERR(p);	/* -ENAMETOOLONG */
		goto out_put_paths;
	}
	if (unlikely(d_unlinked(pwd.dentry))) {
		error = -ENOENT;
		goto out_put_paths;
	}
	len = page + PATH_MAX - p;	/* with the NUL */
	if (unlikely(len > size))
		error = -ERANGE;
	else if (copy_to_user(buf, p, len))
		error = -EFAULT;
	else
		error = len;
out_put_paths:
	path_put(&pwd);
	path_put(&root);
	__putname(page);
	return error;
}
