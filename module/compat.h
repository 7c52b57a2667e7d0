/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels syschain supports (6.1 to 6.12).
 */
#ifndef SYSCHAIN_COMPAT_H
#define SYSCHAIN_COMPAT_H

#include <linux/version.h>
#include <linux/file.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
/* struct fd became opaque in 6.12; fd_file() is how to reach the file. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif
#endif

#endif /* SYSCHAIN_COMPAT_H */
