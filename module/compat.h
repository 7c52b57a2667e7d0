/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels syschain supports (6.1 to 6.12).
 */
#ifndef SYSCHAIN_COMPAT_H
#define SYSCHAIN_COMPAT_H

#include <linux/file.h>

/* struct fd became opaque in 6.12, and fd_file() the way to its file. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

#endif /* SYSCHAIN_COMPAT_H */
