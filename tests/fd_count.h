/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * fd_count.h: the descriptors this process has open, for the host unit
 * tests and the guest tests alike (include after <cmocka.h>).
 */
#ifndef SYSCHAIN_TESTS_FD_COUNT_H
#define SYSCHAIN_TESTS_FD_COUNT_H

#include <dirent.h>

static inline int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own */
}

#endif /* SYSCHAIN_TESTS_FD_COUNT_H */
