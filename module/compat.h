/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels syschain supports (6.1 to 6.12), and
 * between kernel configurations. This is the one file that tests kernel
 * versions and the options that change what a struct holds.
 */
#ifndef SYSCHAIN_COMPAT_H
#define SYSCHAIN_COMPAT_H

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fsnotify.h>
#include <linux/mount.h>
#include <linux/posix_acl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <linux/xattr.h>

/* 6.10 dropped __assign_str()'s source: the event's __string() names it */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define sc_assign_str(dst, src) __assign_str(dst)
#else
#define sc_assign_str(dst, src) __assign_str(dst, src)
#endif

/* struct fd became opaque in 6.12, and fd_file() the way to its file. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/* The current segment of an ITER_IOVEC iterator (iov_iter_iovec() up to 6.3) */
static inline struct iovec sc_iter_iovec(const struct iov_iter *iter)
{
#ifdef iter_iov_addr
	return (struct iovec) {
		.iov_base = iter_iov_addr(iter),
		.iov_len = iter_iov_len(iter),
	};
#else
	return iov_iter_iovec(iter);
#endif
}

/*
 * Up to 6.7 the open syscalls sent FS_OPEN themselves, after
 * do_filp_open(); from 6.8 vfs_open() does, so filp_open() already has.
 */
static inline void sc_fsnotify_open(struct file *file)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
	fsnotify_open(file);
#endif
}

/* The mount's ID mapping, as the vfs_*() calls take it (idmaps from 6.3) */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define sc_mnt_map(mnt) mnt_idmap(mnt)
#else
#define sc_mnt_map(mnt) mnt_user_ns(mnt)
#endif

/*
 * removexattr() and its variants: from 6.2 (the POSIX ACL rework, which
 * brought vfs_remove_acl()) the syscalls copy the name before they look
 * the file up and take write access to its mount, and send a POSIX ACL
 * name to vfs_remove_acl(); 6.1 copies it after both and sends every name
 * to vfs_removexattr().
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define SC_XATTR_NAME_FIRST	true
static inline int sc_vfs_removexattr(const struct path *path, const char *name)
{
	if (is_posix_acl_xattr(name))
		return vfs_remove_acl(sc_mnt_map(path->mnt), path->dentry, name);
	return vfs_removexattr(sc_mnt_map(path->mnt), path->dentry, name);
}
#else
#define SC_XATTR_NAME_FIRST	false
static inline int sc_vfs_removexattr(const struct path *path, const char *name)
{
	return vfs_removexattr(sc_mnt_map(path->mnt), path->dentry, name);
}
#endif

/*
 * From 6.11, fstatat() with flags exactly AT_EMPTY_PATH takes a NULL name
 * as the empty one and stats the descriptor; otherwise, and before 6.11, a
 * NULL name is -EFAULT.
 */
static inline bool sc_fstatat_null_is_empty(const char __user *name,
					    int flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	return !name && flags == AT_EMPTY_PATH;
#else
	return false;
#endif
}

/*
 * From 6.8 readv()/writev() check the file's mode before they read the
 * iovecs (vfs_readv()/vfs_writev() absorbed do_iter_read()/_write()), and
 * writev() takes freeze protection only around the write itself; before,
 * the iovecs came first, and vfs_writev() took freeze protection before
 * do_iter_write()'s mode checks.
 */
static inline bool sc_rwv_mode_first(void)
{
	return LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0);
}

/*
 * Whether faccessat() switches to the real ids (access_override_creds()).
 * Up to 6.2 it always does unless AT_EACCESS; from 6.3 it skips the
 * switch when the new credentials would equal the current ones
 * (access_need_override_creds() of fs/open.c, replicated here: the
 * kernel_cap_t helpers it uses, cap_isidentical(), only exist from 6.3).
 */
static inline bool sc_access_need_override_creds(int flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	const struct cred *cred;

	if (flags & AT_EACCESS)
		return false;

	cred = current_cred();
	if (!uid_eq(cred->fsuid, cred->uid) ||
	    !gid_eq(cred->fsgid, cred->gid))
		return true;

	if (!issecure(SECURE_NO_SETUID_FIXUP)) {
		kuid_t root_uid = make_kuid(cred->user_ns, 0);

		if (!uid_eq(cred->uid, root_uid)) {
			if (!cap_isclear(cred->cap_effective))
				return true;
		} else {
			if (!cap_isidentical(cred->cap_effective,
					     cred->cap_permitted))
				return true;
		}
	}

	return false;
#else
	return !(flags & AT_EACCESS);
#endif
}

/*
 * close(2): file_close_fd() is exported from 6.8 on, and there the syscall
 * releases the file synchronously (filp_flush(), then __fput_sync(), which
 * refuses non-kernel threads before 6.6). Holding a reference across
 * filp_close() keeps its fput() from being the final one.
 */
static inline int sc_close_fd(unsigned int fd)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	struct file *file = file_close_fd(fd);
	int retval;

	if (!file)
		return -EBADF;
	get_file(file);
	retval = filp_close(file, current->files);
	__fput_sync(file);
	return retval;
#else
	return close_fd(fd);
#endif
}

/*
 * The buffer of sendto()/recvfrom() as the syscall sets it up: from 6.5 an
 * ITER_UBUF iterator (import_ubuf()); before, a one-segment ITER_IOVEC
 * (import_single_range(), with the iovec in @iov), which a protocol that
 * looks at the segments (nr_segs, iter_iov()) sees differently. Both clamp
 * the count to MAX_RW_COUNT, then give -EFAULT unless the whole range is a
 * user range.
 */
static inline int sc_import_single(int rw, void __user *buf, size_t len,
			    struct iovec *iov, struct iov_iter *iter)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (unlikely(!access_ok(buf, len)))
		return -EFAULT;
	iov_iter_ubuf(iter, rw, buf, len);
	return 0;
#else
	return import_single_range(rw, buf, len, iov, iter);
#endif
}

/*
 * Whether the caller runs under a seccomp filter. task_struct's seccomp
 * state has its members only with CONFIG_SECCOMP (an empty struct
 * otherwise), so the test is the preprocessor's: IS_ENABLED() would still
 * compile the member access. Without CONFIG_SECCOMP_FILTER, which depends
 * on CONFIG_SECCOMP, the mode is never SECCOMP_MODE_FILTER.
 */
static inline bool sc_seccomp_filtered(void)
{
#ifdef CONFIG_SECCOMP
	return READ_ONCE(current->seccomp.mode) == SECCOMP_MODE_FILTER;
#else
	return false;
#endif
}

#endif /* SYSCHAIN_COMPAT_H */
