// SPDX-License-Identifier: GPL-2.0-only
/*
 * Extended attributes: getxattr, lgetxattr, fgetxattr, listxattr,
 * llistxattr, flistxattr, removexattr, lremovexattr, fremovexattr,
 * following fs/xattr.c (the same code on 6.1 and 6.12 but for the order
 * of removexattr's steps). vfs_getxattr(), vfs_listxattr() and
 * vfs_removexattr() (G/G) make the permission check (xattr_permission())
 * and the LSM hooks themselves; around them is
 * the syscalls' own code: the path looked up first and the name copied
 * after it, the value or the list through a kernel buffer of at most
 * XATTR_SIZE_MAX (XATTR_LIST_MAX) bytes, -E2BIG where the file system
 * could not fit that much, the ESTALE retry.
 *
 * Two differences, both README's: the POSIX ACL names are refused per
 * call (sc_getxattr()), and fgetxattr()/flistxattr() make no audit record
 * of the descriptor's path (audit_file() calls __audit_file(), which is
 * not exported), as the ops' path names have none.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xattr.h>
#include "compat.h"
#include "ops.h"

/* is_posix_acl_xattr(): private to fs/xattr.c on 6.1, in xattr.h later */
static bool sc_is_posix_acl_xattr(const char *name)
{
	return !strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS) ||
	       !strcmp(name, XATTR_NAME_POSIX_ACL_DEFAULT);
}

/* the name as the syscalls copy it: empty or unterminated is -ERANGE */
static int sc_copy_xattr_name(char *kname, const char __user *uname)
{
	long len = strncpy_from_user(kname, uname, XATTR_NAME_MAX + 1);

	if (len == 0 || len == XATTR_NAME_MAX + 1)
		return -ERANGE;
	return len < 0 ? len : 0;
}

/**
 * sc_getxattr() - getxattr() of fs/xattr.c, on a looked-up path
 * @path: the file (a path's lookup, or a descriptor's path)
 * @uname: the attribute's name, in user memory
 * @uvalue: where the value goes, @size bytes
 * @size: 0 asks for the value's length
 *
 * The name is copied as the syscall copies it (empty, or without a NUL in
 * XATTR_NAME_MAX + 1 bytes: -ERANGE). A POSIX ACL name is refused with
 * -EOPNOTSUPP: the syscalls convert its value for the caller's user
 * namespace (6.1: posix_acl_fix_xattr_to_user(); 6.12: do_get_acl()),
 * and neither is exported. The name is only known now, so the refusal is
 * the op's result, not the chain's validation.
 *
 * Return: the value's length, or a negative errno.
 */
static ssize_t sc_getxattr(const struct path *path, const char __user *uname,
			   void __user *uvalue, size_t size)
{
	char kname[XATTR_NAME_MAX + 1];
	void *kvalue = NULL;
	ssize_t error;

	error = sc_copy_xattr_name(kname, uname);
	if (error)
		return error;
	if (sc_is_posix_acl_xattr(kname))
		return -EOPNOTSUPP;

	if (size) {
		if (size > XATTR_SIZE_MAX)
			size = XATTR_SIZE_MAX;
		kvalue = kvzalloc(size, GFP_KERNEL);
		if (!kvalue)
			return -ENOMEM;
	}
	error = vfs_getxattr(sc_mnt_map(path->mnt), path->dentry, kname,
			     kvalue, size);
	if (error > 0) {
		if (size && copy_to_user(uvalue, kvalue, error))
			error = -EFAULT;
	} else if (error == -ERANGE && size >= XATTR_SIZE_MAX) {
		/* the file system's value is larger than any it may have */
		error = -E2BIG;
	}
	kvfree(kvalue);
	return error;
}

/* path_getxattr(): the name looked up, followed or not, then the attribute */
static __s64 sc_path_getxattr(const __u64 *args, unsigned int lookup_flags)
{
	struct path path;
	ssize_t error;

retry:
	error = user_path_at(AT_FDCWD, u64_to_user_ptr(args[0]), lookup_flags,
			     &path);
	if (error)
		return error;
	error = sc_getxattr(&path, u64_to_user_ptr(args[1]),
			    u64_to_user_ptr(args[2]), (size_t)args[3]);
	path_put(&path);
	if (retry_estale(error, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
	return error;
}

/*
 * getxattr(const char __user *pathname, const char __user *name,
 *	    void __user *value, size_t size)
 */
__s64 sc_op_getxattr(const __u64 *args, struct sc_exec *x)
{
	return sc_path_getxattr(args, LOOKUP_FOLLOW);
}

/* lgetxattr(): getxattr() of a symbolic link itself */
__s64 sc_op_lgetxattr(const __u64 *args, struct sc_exec *x)
{
	return sc_path_getxattr(args, 0);
}

/*
 * fgetxattr(int fd, const char __user *name, void __user *value,
 *	     size_t size): fdget(), so an O_PATH descriptor is -EBADF
 */
__s64 sc_op_fgetxattr(const __u64 *args, struct sc_exec *x)
{
	struct fd f = fdget((unsigned int)(int)args[0]);
	ssize_t error;

	if (!fd_file(f))
		return -EBADF;
	error = sc_getxattr(&fd_file(f)->f_path, u64_to_user_ptr(args[1]),
			    u64_to_user_ptr(args[2]), (size_t)args[3]);
	fdput(f);
	return error;
}

/* listxattr() of fs/xattr.c: the names, NUL-terminated, one after another */
static ssize_t sc_listxattr(struct dentry *d, char __user *list, size_t size)
{
	char *klist = NULL;
	ssize_t error;

	if (size) {
		if (size > XATTR_LIST_MAX)
			size = XATTR_LIST_MAX;
		klist = kvmalloc(size, GFP_KERNEL);
		if (!klist)
			return -ENOMEM;
	}
	error = vfs_listxattr(d, klist, size);
	if (error > 0) {
		if (size && copy_to_user(list, klist, error))
			error = -EFAULT;
	} else if (error == -ERANGE && size >= XATTR_LIST_MAX) {
		/* the file system's list is larger than any it may have */
		error = -E2BIG;
	}
	kvfree(klist);
	return error;
}

/* path_listxattr() */
static __s64 sc_path_listxattr(const __u64 *args, unsigned int lookup_flags)
{
	struct path path;
	ssize_t error;

retry:
	error = user_path_at(AT_FDCWD, u64_to_user_ptr(args[0]), lookup_flags,
			     &path);
	if (error)
		return error;
	error = sc_listxattr(path.dentry, u64_to_user_ptr(args[1]),
			     (size_t)args[2]);
	path_put(&path);
	if (retry_estale(error, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
	return error;
}

/* listxattr(const char __user *pathname, char __user *list, size_t size) */
__s64 sc_op_listxattr(const __u64 *args, struct sc_exec *x)
{
	return sc_path_listxattr(args, LOOKUP_FOLLOW);
}

/* llistxattr(): listxattr() of a symbolic link itself */
__s64 sc_op_llistxattr(const __u64 *args, struct sc_exec *x)
{
	return sc_path_listxattr(args, 0);
}

/* flistxattr(int fd, char __user *list, size_t size): fdget() */
__s64 sc_op_flistxattr(const __u64 *args, struct sc_exec *x)
{
	struct fd f = fdget((unsigned int)(int)args[0]);
	ssize_t error;

	if (!fd_file(f))
		return -EBADF;
	error = sc_listxattr(fd_file(f)->f_path.dentry,
			     u64_to_user_ptr(args[1]), (size_t)args[2]);
	fdput(f);
	return error;
}

/*
 * removexattr() of fs/xattr.c, write access to the mount taken: on 6.1
 * the name is copied here (SC_XATTR_NAME_FIRST, compat.h); the removal
 * as the kernel's syscall makes it (sc_vfs_removexattr())
 */
static int sc_removexattr(const struct path *path, char *kname,
			  const char __user *uname)
{
	int error;

	if (!SC_XATTR_NAME_FIRST) {
		error = sc_copy_xattr_name(kname, uname);
		if (error)
			return error;
	}
	return sc_vfs_removexattr(path, kname);
}

/* path_removexattr() */
static __s64 sc_path_removexattr(const __u64 *args, unsigned int lookup_flags)
{
	const char __user *uname = u64_to_user_ptr(args[1]);
	char kname[XATTR_NAME_MAX + 1];
	struct path path;
	int error;

	if (SC_XATTR_NAME_FIRST) {
		error = sc_copy_xattr_name(kname, uname);
		if (error)
			return error;
	}
retry:
	error = user_path_at(AT_FDCWD, u64_to_user_ptr(args[0]), lookup_flags,
			     &path);
	if (error)
		return error;
	error = mnt_want_write(path.mnt);
	if (!error) {
		error = sc_removexattr(&path, kname, uname);
		mnt_drop_write(path.mnt);
	}
	path_put(&path);
	if (retry_estale(error, lookup_flags)) {
		lookup_flags |= LOOKUP_REVAL;
		goto retry;
	}
	return error;
}

/* removexattr(const char __user *pathname, const char __user *name) */
__s64 sc_op_removexattr(const __u64 *args, struct sc_exec *x)
{
	return sc_path_removexattr(args, LOOKUP_FOLLOW);
}

/* lremovexattr(): removexattr() of a symbolic link itself */
__s64 sc_op_lremovexattr(const __u64 *args, struct sc_exec *x)
{
	return sc_path_removexattr(args, 0);
}

/*
 * fremovexattr(int fd, const char __user *name): fdget(), then (from 6.2)
 * the name, write access to the file's mount, the removal
 */
__s64 sc_op_fremovexattr(const __u64 *args, struct sc_exec *x)
{
	const char __user *uname = u64_to_user_ptr(args[1]);
	struct fd f = fdget((unsigned int)(int)args[0]);
	char kname[XATTR_NAME_MAX + 1];
	int error;

	if (!fd_file(f))
		return -EBADF;
	if (SC_XATTR_NAME_FIRST) {
		error = sc_copy_xattr_name(kname, uname);
		if (error)
			goto out_fdput;
	}
	error = mnt_want_write_file(fd_file(f));
	if (!error) {
		error = sc_removexattr(&fd_file(f)->f_path, kname, uname);
		mnt_drop_write_file(fd_file(f));
	}
out_fdput:
	fdput(f);
	return error;
}
