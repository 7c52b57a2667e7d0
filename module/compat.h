/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels syschain supports (6.1 to 6.12). This
 * is the one file that tests kernel versions.
 */
#ifndef SYSCHAIN_COMPAT_H
#define SYSCHAIN_COMPAT_H

#include <linux/file.h>
#include <linux/fsnotify.h>
#include <linux/version.h>

/* struct fd became opaque in 6.12, and fd_file() the way to its file. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

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

#endif /* SYSCHAIN_COMPAT_H */
