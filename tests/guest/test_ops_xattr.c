// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Extended attributes: getxattr, lgetxattr, fgetxattr, listxattr,
 * llistxattr, flistxattr, and removexattr, lremovexattr, fremovexattr
 * (test_removexattr(): each case on fresh objects). Each case through a chain against the plain
 * syscall, on a tmpfs of the test's own: the result and the bytes the call
 * wrote (the whole buffer, which starts as a pattern on both sides). The
 * value and its length, the length alone (size 0), a buffer too small
 * (-ERANGE), sizes past XATTR_SIZE_MAX and XATTR_LIST_MAX (clamped; a
 * list the file system cannot fit in XATTR_LIST_MAX: -E2BIG), a missing
 * attribute (-ENODATA), namespaces the file system lacks (-EOPNOTSUPP),
 * empty and overlong names (-ERANGE), bad name, buffer and path pointers
 * (-EFAULT), in the syscall's order (the lookup before the name), missing
 * paths, symbolic links followed or not, dangling ones, descriptors of
 * files, directories, a pipe and a socket (sockfs answers
 * system.sockprotoname), O_PATH and bad descriptors (-EBADF); trusted.*
 * as root and as nobody (-ENODATA, and left out of the lists), user.*
 * denied by the file's mode. tmpfs takes user.* from 6.6 on: on 6.1 those
 * cases compare -EOPNOTSUPP.
 *
 * The POSIX ACL names are refused per call (README): the get ops return
 * -EOPNOTSUPP for them, whether the file has an ACL or not, after the
 * lookup and the name's copy, and the chain goes on; the list ops list
 * them as the syscalls do.
 */
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include "guest.h"

#define D		"/tmp/sc-xattr"
#define FILE_P		D "/file"
#define DIR_P		D "/dir"
#define LINK_P		D "/link"		/* -> file */
#define DANGLE_P	D "/dangle"		/* -> missing */
#define PRIV_P		D "/private"		/* 0600, root's */
#define ACL_P		D "/acl"		/* an access ACL */
#define NOACL_P		D "/noacl"
#define MANY_P		D "/many"		/* a list past XATTR_LIST_MAX */
#define BAD_PTR		((uint64_t)1)
#define BUF		((uint64_t)-2)	/* placeholder: this side's buffer */
#define ANY		(1L << 40)	/* whatever the syscall returns */
#define NOBODY		65534
#define BUFSZ		(128 * 1024)
#define BIG_LEN		3000
#define MANY		300		/* 249-byte names: 75000 > 65536 */

static unsigned char buf_c[BUFSZ], buf_s[BUFSZ];
static char long_name[257];	/* one past XATTR_NAME_MAX */
static char max_name[256];	/* XATTR_NAME_MAX */

/*
 * Whether this kernel's tmpfs takes POSIX ACLs (CONFIG_TMPFS_POSIX_ACL:
 * Debian's kernels do, the sanitizer kernel's tinyconfig does not). Where
 * it does not, the ACL cases still run, chain against syscall, and the
 * syscall's answer for an ACL name is -EOPNOTSUPP.
 */
static bool acls = true;

static const uint64_t acl_names[] = {
	(uintptr_t)"system.posix_acl_access",
	(uintptr_t)"system.posix_acl_default",
};

static int xsystem(const char *cmd)
{
	int r = system(cmd);

	if (r)
		print_message("setup: '%s' failed (%d)\n", cmd, r);
	return r;
}

static int mkfile(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, "x", 1) != 1 || fchmod(fd, mode)) {
		print_message("setup: %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int set1(const char *path, const char *name, const void *v, size_t n,
		bool link)
{
	int r = link ? lsetxattr(path, name, v, n, 0) :
		setxattr(path, name, v, n, 0);

	if (r)
		print_message("setup: setxattr %s %s: %s\n", path, name,
			      strerror(errno));
	return r;
}

/*
 * An access ACL (struct posix_acl_xattr_header and its entries, as
 * <linux/posix_acl_xattr.h> lays them out): owner rw, user 1000 r, group
 * r, mask r, other none.
 */
static size_t make_acl(unsigned char *a)
{
	static const struct { uint16_t tag, perm; uint32_t id; } e[] = {
		{ 0x01, 6, 0xffffffff }, { 0x02, 4, 1000 },
		{ 0x04, 4, 0xffffffff }, { 0x10, 4, 0xffffffff },
		{ 0x20, 0, 0xffffffff },
	};
	uint32_t version = 2;

	memcpy(a, &version, 4);
	memcpy(a + 4, e, sizeof(e));
	return 4 + sizeof(e);
}

static int setup(void **state)
{
	unsigned char acl[64], big[BIG_LEN];
	char name[256];
	size_t n, i;

	(void)state;
	memset(long_name, 'n', sizeof(long_name) - 1);
	memcpy(long_name, "user.", 5);
	memset(max_name, 'm', sizeof(max_name) - 1);
	memcpy(max_name, "trusted.", 8);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + 3);

	umount2(D, MNT_DETACH);
	if (xsystem("rm -rf " D) || mkdir(D, 0755) ||
	    mount("tmpfs", D, "tmpfs", 0, "mode=0755")) {
		print_message("setup: tmpfs on " D ": %s\n", strerror(errno));
		return -1;
	}
	if (mkfile(FILE_P, 0644) || mkfile(PRIV_P, 0600) ||
	    mkfile(ACL_P, 0644) || mkfile(NOACL_P, 0644) ||
	    mkfile(MANY_P, 0644) || mkdir(DIR_P, 0755) ||
	    symlink("file", LINK_P) || symlink("missing", DANGLE_P))
		return -1;
	if (set1(FILE_P, "trusted.t", "trusted value", 13, false) ||
	    set1(FILE_P, "trusted.empty", "", 0, false) ||
	    set1(FILE_P, "trusted.big", big, sizeof(big), false) ||
	    set1(FILE_P, "security.x", "security value", 14, false) ||
	    set1(FILE_P, max_name, "longest name", 12, false) ||
	    set1(DIR_P, "trusted.d", "on the directory", 16, false) ||
	    set1(LINK_P, "trusted.l", "on the link itself", 18, true) ||
	    set1(PRIV_P, "trusted.p", "private", 7, false))
		return -1;
	/* user.*: tmpfs takes it from 6.6 on; 6.1's -EOPNOTSUPP is compared */
	if (setxattr(FILE_P, "user.a", "user value a", 12, 0) &&
	    errno != EOPNOTSUPP)
		return -1;
	if (setxattr(PRIV_P, "user.p", "private user", 12, 0) &&
	    errno != EOPNOTSUPP)
		return -1;
	n = make_acl(acl);
	if (setxattr(ACL_P, "system.posix_acl_access", acl, n, 0) &&
	    errno == EOPNOTSUPP) {
		acls = false;
		print_message("setup: this tmpfs has no POSIX ACLs: the ACL cases compare the syscall's -EOPNOTSUPP\n");
	} else if (set1(ACL_P, "system.posix_acl_access", acl, n, false) ||
		   set1(DIR_P, "system.posix_acl_default", acl, n, false)) {
		return -1;
	}
	for (i = 0; i < MANY; i++) {
		memset(name, 'a' + i % 26, 249);
		memcpy(name, "trusted.", 8);
		snprintf(name + 240, 16, "%09zu", i);
		if (set1(MANY_P, name, "v", 1, false))
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	umount2(D, MNT_DETACH);
	return 0;
}

/* ---- one case: the op through a chain and the syscall ------------------ */

static bool is_get(uint32_t nr)
{
	return nr == __NR_getxattr || nr == __NR_lgetxattr ||
	       nr == __NR_fgetxattr;
}

static const char *op_name(uint32_t nr)
{
	switch (nr) {
	case __NR_getxattr: return "getxattr";
	case __NR_lgetxattr: return "lgetxattr";
	case __NR_fgetxattr: return "fgetxattr";
	case __NR_listxattr: return "listxattr";
	case __NR_llistxattr: return "llistxattr";
	case __NR_flistxattr: return "flistxattr";
	}
	return "?";
}

/*
 * Op @nr on @a0 (a path or a descriptor), attribute @name (the get ops),
 * into @buf (BUF: each side's own) of @size, through a chain and as the
 * syscall: the same result, the same bytes in the whole buffer, and
 * @expect unless ANY (a negative errno, or a length). 0 if so, else 1 and
 * a line saying what differed. No cmocka assertion but g_chain1()'s: a
 * child may call it.
 */
static int xcase(uint32_t nr, uint64_t a0, uint64_t name, uint64_t buf,
		 uint64_t size, long expect)
{
	uint64_t bc = buf == BUF ? (uintptr_t)buf_c : buf;
	uint64_t bs = buf == BUF ? (uintptr_t)buf_s : buf;
	long rc, rs;

	memset(buf_c, 0x5a, sizeof(buf_c));
	memset(buf_s, 0x5a, sizeof(buf_s));
	if (is_get(nr)) {
		rc = g_chain1(nr, a0, name, bc, size, 0, 0);
		rs = g_sys(nr, a0, name, bs, size, 0, 0);
	} else {
		rc = g_chain1(nr, a0, bc, size, 0, 0, 0);
		rs = g_sys(nr, a0, bs, size, 0, 0, 0);
	}
	if (rc == rs && !memcmp(buf_c, buf_s, sizeof(buf_c)) &&
	    (expect == ANY || rc == expect))
		return 0;
	printf("%s(%s, %s, size %llu): chain %ld, syscall %ld, expected %ld%s\n",
	       op_name(nr),
	       nr == __NR_fgetxattr || nr == __NR_flistxattr ? "fd" :
	       a0 > 4096 ? (const char *)(uintptr_t)a0 : "bad path",
	       !is_get(nr) ? "-" : name > 4096 ?
	       (const char *)(uintptr_t)name : "bad name",
	       (unsigned long long)size, rc, rs, expect,
	       memcmp(buf_c, buf_s, sizeof(buf_c)) ? ", buffers differ" : "");
	return 1;
}

#define N(s)	((uint64_t)(uintptr_t)(s))

/* ---- the cases --------------------------------------------------------- */

/* getxattr and lgetxattr by path; as root, or as nobody (@root false) */
static int path_gets(bool root)
{
	const long user_a = ANY;	/* 12, or 6.1's -EOPNOTSUPP */
	const long tr = root ? 13 : -ENODATA;
	uint32_t nrs[] = { __NR_getxattr, __NR_lgetxattr };
	int bad = 0;
	size_t i;

	for (i = 0; i < 2; i++) {
		uint32_t nr = nrs[i];

		bad += xcase(nr, N(FILE_P), N("trusted.t"), BUF, 64, tr);
		bad += xcase(nr, N(FILE_P), N("trusted.t"), BUF, 13, tr);
		bad += xcase(nr, N(FILE_P), N("trusted.t"), BUF, 0, tr);
		bad += xcase(nr, N(FILE_P), N("trusted.t"), BUF, 12,
			     root ? -ERANGE : -ENODATA);
		bad += xcase(nr, N(FILE_P), N("trusted.t"), BUF, 1 << 20, tr);
		bad += xcase(nr, N(FILE_P), N("trusted.t"), BUF,
			     (uint64_t)-1, tr);
		bad += xcase(nr, N(FILE_P), N("trusted.empty"), BUF, 64,
			     root ? 0 : -ENODATA);
		bad += xcase(nr, N(FILE_P), N("trusted.big"), BUF, BIG_LEN,
			     root ? BIG_LEN : -ENODATA);
		bad += xcase(nr, N(FILE_P), N("trusted.big"), BUF, 0,
			     root ? BIG_LEN : -ENODATA);
		bad += xcase(nr, N(FILE_P), N("trusted.big"), BUF, 100,
			     root ? -ERANGE : -ENODATA);
		bad += xcase(nr, N(FILE_P), N(max_name), BUF, 64,
			     root ? 12 : -ENODATA);
		bad += xcase(nr, N(FILE_P), N("trusted.missing"), BUF, 64,
			     -ENODATA);
		bad += xcase(nr, N(FILE_P), N("user.a"), BUF, 64, user_a);
		bad += xcase(nr, N(FILE_P), N("user.a"), BUF, 0, user_a);
		bad += xcase(nr, N(FILE_P), N("user.missing"), BUF, 64, ANY);
		bad += xcase(nr, N(FILE_P), N("security.x"), BUF, 64, 14);
		bad += xcase(nr, N(FILE_P), N("security.missing"), BUF, 64,
			     -ENODATA);
		bad += xcase(nr, N(FILE_P), N("system.other"), BUF, 64,
			     -EOPNOTSUPP);
		bad += xcase(nr, N(FILE_P), N("nonamespace"), BUF, 64,
			     -EOPNOTSUPP);
		bad += xcase(nr, N(FILE_P), N("os2.x"), BUF, 64, -EOPNOTSUPP);
		/* user.* denied by the mode: root passes, nobody not */
		bad += xcase(nr, N(PRIV_P), N("user.p"), BUF, 64,
			     root ? ANY : -EACCES);
		bad += xcase(nr, N(PRIV_P), N("trusted.p"), BUF, 64,
			     root ? 7 : -ENODATA);
		bad += xcase(nr, N(DIR_P), N("trusted.d"), BUF, 64,
			     root ? 16 : -ENODATA);
		bad += xcase(nr, N(D "/dir/"), N("trusted.d"), BUF, 64,
			     root ? 16 : -ENODATA);
		/* names: empty, one too long, bad pointers */
		bad += xcase(nr, N(FILE_P), N(""), BUF, 64, -ERANGE);
		bad += xcase(nr, N(FILE_P), N(long_name), BUF, 64, -ERANGE);
		bad += xcase(nr, N(FILE_P), BAD_PTR, BUF, 64, -EFAULT);
		bad += xcase(nr, N(FILE_P), 0, BUF, 64, -EFAULT);
		/* the buffer: written only when the value fits */
		bad += xcase(nr, N(FILE_P), N("security.x"), BAD_PTR, 64,
			     -EFAULT);
		bad += xcase(nr, N(FILE_P), N("security.x"), BAD_PTR, 0, 14);
		bad += xcase(nr, N(FILE_P), N("security.x"), 0, 0, 14);
		bad += xcase(nr, N(FILE_P), N("security.x"), BAD_PTR, 3,
			     -ERANGE);
		/* paths; the lookup comes before the name */
		bad += xcase(nr, N(D "/missing"), N("trusted.t"), BUF, 64,
			     -ENOENT);
		bad += xcase(nr, N(D "/missing"), BAD_PTR, BUF, 64, -ENOENT);
		bad += xcase(nr, N(D "/missing"), N(""), BUF, 64, -ENOENT);
		bad += xcase(nr, N(FILE_P "/x"), N("trusted.t"), BUF, 64,
			     -ENOTDIR);
		bad += xcase(nr, N(""), N("trusted.t"), BUF, 64, -ENOENT);
		bad += xcase(nr, BAD_PTR, N("trusted.t"), BUF, 64, -EFAULT);
		bad += xcase(nr, 0, N("trusted.t"), BUF, 64, -EFAULT);
		bad += xcase(nr, N("/proc/self/status"), N("user.a"), BUF, 64,
			     -EOPNOTSUPP);
		bad += xcase(nr, N("/proc/self/status"), N("security.x"), BUF,
			     64, ANY);
		bad += xcase(nr, N("/sys/kernel"), N("trusted.t"), BUF, 64,
			     ANY);
	}
	/* a symbolic link: followed by getxattr, itself for lgetxattr */
	bad += xcase(__NR_getxattr, N(LINK_P), N("trusted.t"), BUF, 64, tr);
	bad += xcase(__NR_lgetxattr, N(LINK_P), N("trusted.t"), BUF, 64,
		     -ENODATA);
	bad += xcase(__NR_getxattr, N(LINK_P), N("trusted.l"), BUF, 64,
		     -ENODATA);
	bad += xcase(__NR_lgetxattr, N(LINK_P), N("trusted.l"), BUF, 64,
		     root ? 18 : -ENODATA);
	bad += xcase(__NR_lgetxattr, N(LINK_P), N("user.a"), BUF, 64,
		     -ENODATA);	/* user.* on a link: none */
	bad += xcase(__NR_lgetxattr, N(LINK_P "/"), N("trusted.t"), BUF, 64,
		     -ENOTDIR);	/* a trailing slash follows, to a file */
	bad += xcase(__NR_getxattr, N(DANGLE_P), N("trusted.t"), BUF, 64,
		     -ENOENT);
	bad += xcase(__NR_lgetxattr, N(DANGLE_P), N("trusted.t"), BUF, 64,
		     -ENODATA);
	return bad;
}

static int lists(bool root)
{
	uint32_t nrs[] = { __NR_listxattr, __NR_llistxattr };
	int bad = 0;
	size_t i;

	for (i = 0; i < 2; i++) {
		uint32_t nr = nrs[i];

		bad += xcase(nr, N(FILE_P), 0, BUF, 4096, ANY);
		bad += xcase(nr, N(FILE_P), 0, BUF, 0, ANY);
		bad += xcase(nr, N(FILE_P), 0, BUF, 1 << 20, ANY);
		bad += xcase(nr, N(FILE_P), 0, BUF, (uint64_t)-1, ANY);
		bad += xcase(nr, N(FILE_P), 0, BUF, 10, -ERANGE);
		bad += xcase(nr, N(FILE_P), 0, BUF, 1, -ERANGE);
		bad += xcase(nr, N(FILE_P), 0, BAD_PTR, 4096, -EFAULT);
		bad += xcase(nr, N(FILE_P), 0, BAD_PTR, 0, ANY);
		bad += xcase(nr, N(DIR_P), 0, BUF, 4096, ANY);
		bad += xcase(nr, N(PRIV_P), 0, BUF, 4096, ANY);
		bad += xcase(nr, N(ACL_P), 0, BUF, 4096, ANY);
		bad += xcase(nr, N(NOACL_P), 0, BUF, 4096, 0);
		bad += xcase(nr, N(D), 0, BUF, 4096, ANY);
		bad += xcase(nr, N("/proc/self/status"), 0, BUF, 4096, ANY);
		bad += xcase(nr, N("/dev/null"), 0, BUF, 4096, ANY);
		/* past XATTR_LIST_MAX: the length, or -E2BIG (nobody: none) */
		bad += xcase(nr, N(MANY_P), 0, BUF, 0,
			     root ? MANY * 250 : 0);
		bad += xcase(nr, N(MANY_P), 0, BUF, 65536,
			     root ? -E2BIG : 0);
		bad += xcase(nr, N(MANY_P), 0, BUF, 1 << 20,
			     root ? -E2BIG : 0);
		bad += xcase(nr, N(MANY_P), 0, BUF, 65535,
			     root ? -ERANGE : 0);
		bad += xcase(nr, N(D "/missing"), 0, BUF, 4096, -ENOENT);
		bad += xcase(nr, N(FILE_P "/"), 0, BUF, 4096, -ENOTDIR);
		bad += xcase(nr, N(""), 0, BUF, 4096, -ENOENT);
		bad += xcase(nr, BAD_PTR, 0, BUF, 4096, -EFAULT);
		bad += xcase(nr, 0, 0, BUF, 0, -EFAULT);
	}
	bad += xcase(__NR_listxattr, N(LINK_P), 0, BUF, 4096, ANY);
	bad += xcase(__NR_llistxattr, N(LINK_P), 0, BUF, 4096,
		     root ? 10 : 0);	/* "trusted.l" */
	bad += xcase(__NR_listxattr, N(DANGLE_P), 0, BUF, 4096, -ENOENT);
	bad += xcase(__NR_llistxattr, N(DANGLE_P), 0, BUF, 4096, 0);
	return bad;
}

/* fgetxattr and flistxattr on each kind of descriptor */
static int fd_ops(bool root)
{
	const long tr = root ? 13 : -ENODATA;
	int f = open(FILE_P, O_RDONLY), w = open(PRIV_P, O_WRONLY);
	int d = open(DIR_P, O_RDONLY | O_DIRECTORY);
	int o = open(FILE_P, O_PATH), ol = open(LINK_P, O_PATH | O_NOFOLLOW);
	int p[2] = { -1, -1 }, sv[2] = { -1, -1 };
	int bad = 0;

	if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 100;
	/* nobody cannot open the private file for writing */
	if (f < 0 || d < 0 || o < 0 || ol < 0 || (root && w < 0))
		return 101;
	bad += xcase(__NR_fgetxattr, f, N("trusted.t"), BUF, 64, tr);
	bad += xcase(__NR_fgetxattr, f, N("trusted.t"), BUF, 0, tr);
	bad += xcase(__NR_fgetxattr, f, N("trusted.t"), BUF, 5,
		     root ? -ERANGE : -ENODATA);
	bad += xcase(__NR_fgetxattr, f, N("trusted.big"), BUF, 1 << 20,
		     root ? BIG_LEN : -ENODATA);
	bad += xcase(__NR_fgetxattr, f, N("trusted.missing"), BUF, 64,
		     -ENODATA);
	bad += xcase(__NR_fgetxattr, f, N("user.a"), BUF, 64, ANY);
	bad += xcase(__NR_fgetxattr, f, N("security.x"), BUF, 64, 14);
	bad += xcase(__NR_fgetxattr, f, N("nonamespace"), BUF, 64,
		     -EOPNOTSUPP);
	bad += xcase(__NR_fgetxattr, f, N(""), BUF, 64, -ERANGE);
	bad += xcase(__NR_fgetxattr, f, N(long_name), BUF, 64, -ERANGE);
	bad += xcase(__NR_fgetxattr, f, BAD_PTR, BUF, 64, -EFAULT);
	bad += xcase(__NR_fgetxattr, f, N("security.x"), BAD_PTR, 64,
		     -EFAULT);
	bad += xcase(__NR_fgetxattr, d, N("trusted.d"), BUF, 64,
		     root ? 16 : -ENODATA);
	if (root)	/* a write-only descriptor reads attributes too */
		bad += xcase(__NR_fgetxattr, w, N("user.p"), BUF, 64, ANY);
	bad += xcase(__NR_fgetxattr, p[0], N("user.a"), BUF, 64,
		     -ENODATA);	/* user.* of a pipe: none */
	bad += xcase(__NR_fgetxattr, p[0], N("trusted.t"), BUF, 64,
		     root ? -EOPNOTSUPP : -ENODATA);
	bad += xcase(__NR_fgetxattr, sv[0], N("system.sockprotoname"), BUF,
		     64, ANY);	/* the protocol's name */
	bad += xcase(__NR_fgetxattr, sv[0], N("system.sockprotoname"), BUF,
		     2, -ERANGE);
	/* O_PATH and bad descriptors, before the name */
	bad += xcase(__NR_fgetxattr, o, N("trusted.t"), BUF, 64, -EBADF);
	bad += xcase(__NR_fgetxattr, ol, N("trusted.l"), BUF, 64, -EBADF);
	bad += xcase(__NR_fgetxattr, 9999, N("trusted.t"), BUF, 64, -EBADF);
	bad += xcase(__NR_fgetxattr, (uint64_t)-1, BAD_PTR, BUF, 64, -EBADF);
	bad += xcase(__NR_fgetxattr, (uint64_t)-100, N("trusted.t"), BUF, 64,
		     -EBADF);	/* AT_FDCWD is no descriptor */

	bad += xcase(__NR_flistxattr, f, 0, BUF, 4096, ANY);
	bad += xcase(__NR_flistxattr, f, 0, BUF, 0, ANY);
	bad += xcase(__NR_flistxattr, f, 0, BUF, 3, -ERANGE);
	bad += xcase(__NR_flistxattr, f, 0, BAD_PTR, 4096, -EFAULT);
	bad += xcase(__NR_flistxattr, d, 0, BUF, 4096, ANY);
	bad += xcase(__NR_flistxattr, p[0], 0, BUF, 4096, ANY);
	bad += xcase(__NR_flistxattr, sv[0], 0, BUF, 4096, ANY);
	bad += xcase(__NR_flistxattr, sv[0], 0, BUF, 0, ANY);
	bad += xcase(__NR_flistxattr, o, 0, BUF, 4096, -EBADF);
	bad += xcase(__NR_flistxattr, 9999, 0, BUF, 4096, -EBADF);
	bad += xcase(__NR_flistxattr, (uint64_t)-1, 0, BUF, 4096, -EBADF);
	close(f);
	close(d);
	close(o);
	close(ol);
	if (w >= 0)
		close(w);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	return bad;
}

/* ---- as nobody, in a child --------------------------------------------- */

static int as_nobody(int (*fn)(bool root))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			guest_child_exit(120);
		guest_child_exit(fn(false) ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_getxattr(void **state)
{
	(void)state;
	G_BOUND(120);
	assert_int_equal(path_gets(true), 0);
	assert_int_equal(as_nobody(path_gets), 0);
}

static void test_listxattr(void **state)
{
	(void)state;
	G_BOUND(120);
	/* the list holds the names set in setup() */
	assert_int_equal(xcase(__NR_listxattr, N(NOACL_P), 0, BUF, 64, 0), 0);
	assert_int_equal(lists(true), 0);
	assert_int_equal(as_nobody(lists), 0);
}

static void test_fgetxattr_flistxattr(void **state)
{
	(void)state;
	G_BOUND(120);
	assert_int_equal(fd_ops(true), 0);
	assert_int_equal(as_nobody(fd_ops), 0);
}

/*
 * The POSIX ACL names: the syscall converts the value for the caller's
 * user namespace with helpers the module cannot call, so the op refuses
 * them: -EOPNOTSUPP as its result, with an ACL or without, once the
 * lookup and the name's copy have gone as the syscall's go; the chain
 * goes on.
 */
static long acl_op(uint32_t nr, uint64_t a0, uint64_t name, uint64_t size)
{
	memset(buf_c, 0x5a, sizeof(buf_c));
	return g_chain1(nr, a0, name, (uintptr_t)buf_c, size, 0, 0);
}

static bool untouched(void)
{
	size_t i;

	for (i = 0; i < sizeof(buf_c); i++)
		if (buf_c[i] != 0x5a)
			return false;
	return true;
}

static void test_acl_refused(void **state)
{
	int f = open(ACL_P, O_RDONLY), d = open(DIR_P, O_RDONLY);
	struct g_chain c;
	unsigned char v[256];
	size_t i;

	(void)state;
	G_BOUND(60);
	assert_true(f >= 0 && d >= 0);
	/* the syscalls read them: they are there */
	assert_true(!acls || getxattr(ACL_P, "system.posix_acl_access", v,
				      sizeof(v)) > 4);
	assert_true(!acls || getxattr(DIR_P, "system.posix_acl_default", v,
				      sizeof(v)) > 4);
	for (i = 0; i < 2; i++) {
		const uint64_t name = acl_names[i];
		const uint64_t path = i ? N(DIR_P) : N(ACL_P);
		const int fd = i ? d : f;

		assert_int_equal(acl_op(__NR_getxattr, path, name, 256),
				 -EOPNOTSUPP);
		assert_int_equal(acl_op(__NR_getxattr, path, name, 0),
				 -EOPNOTSUPP);
		assert_int_equal(acl_op(__NR_lgetxattr, path, name, 256),
				 -EOPNOTSUPP);
		assert_int_equal(acl_op(__NR_fgetxattr, (uint64_t)fd, name,
					256), -EOPNOTSUPP);
		assert_true(untouched());
		/* without an ACL: the syscall's -ENODATA, refused too */
		assert_int_equal(acl_op(__NR_getxattr, N(NOACL_P), name, 256),
				 -EOPNOTSUPP);
		assert_int_equal(g_sys(__NR_getxattr, N(NOACL_P), name,
				       (uintptr_t)v, sizeof(v), 0, 0),
				 acls ? -ENODATA : -EOPNOTSUPP);
		/* the lookup's errors come first, as the syscall's */
		assert_int_equal(xcase(__NR_getxattr, N(D "/missing"), name,
				       BUF, 256, -ENOENT), 0);
		assert_int_equal(xcase(__NR_lgetxattr, BAD_PTR, name, BUF, 256,
				       -EFAULT), 0);
		assert_int_equal(xcase(__NR_fgetxattr, 9999, name, BUF, 256,
				       -EBADF), 0);
	}
	/* the name must match whole: these are ordinary names */
	assert_int_equal(xcase(__NR_getxattr, N(ACL_P),
			       N("system.posix_acl_access2"), BUF, 256,
			       -EOPNOTSUPP), 0);
	assert_int_equal(xcase(__NR_getxattr, N(ACL_P), N("system.posix_acl"),
			       BUF, 256, -EOPNOTSUPP), 0);
	/* the lists name them, as the syscalls' do */
	assert_int_equal(xcase(__NR_listxattr, N(ACL_P), 0, BUF, 256, ANY), 0);
	assert_int_equal(xcase(__NR_flistxattr, (uint64_t)d, 0, BUF, 256, ANY),
			 0);
	assert_true(!acls || (listxattr(ACL_P, (char *)v, sizeof(v)) > 0 &&
			      !strcmp((char *)v, "system.posix_acl_access")));

	/* the refusal is the op's result: the chain goes on */
	g_init(&c);
	g_opn(&c, __NR_getxattr, N(ACL_P), acl_names[0], (uintptr_t)v,
	      sizeof(v));
	g_opn(&c, __NR_getxattr, N(FILE_P), N("security.x"), (uintptr_t)v,
	      sizeof(v));
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[0].ret, -EOPNOTSUPP);
	assert_int_equal(c.res[1].ret, 14);
	assert_memory_equal(v, "security value", 14);
	close(f);
	close(d);
}

/* a chain: fgetxattr of a descriptor openat returned, into a length query */
static void test_xattr_chain(void **state)
{
	static const char want[] = "trusted value";
	char v[64] = "";
	struct g_chain c;
	unsigned int op, len;

	(void)state;
	G_BOUND(60);
	g_init(&c);
	op = g_opn(&c, __NR_openat, (uint64_t)-100, N(FILE_P), O_RDONLY, 0);
	len = g_opn(&c, __NR_fgetxattr, 0, N("trusted.t"), 0, 0);
	g_ref(&c, len, 0, op, 0);
	g_opn(&c, __NR_fgetxattr, 0, N("trusted.t"), (uintptr_t)v, 0);
	g_ref(&c, 2, 0, op, 0);
	g_ref(&c, 2, 3, len, 0);	/* the size: what the query said */
	g_opn(&c, __NR_close, 0);
	g_ref(&c, 3, 0, op, 0);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[1].ret, 13);
	assert_int_equal(c.res[2].ret, 13);
	assert_memory_equal(v, want, 13);
	assert_int_equal(c.res[3].ret, 0);
}

/* ---- removexattr, lremovexattr, fremovexattr ----------------------------- */

#define RM_P		D "/rm"			/* trusted, security, user, ACL */
#define RM_L		D "/rmlink"		/* -> rm; trusted.l on itself */
#define RM_D		D "/rmdir"		/* a default ACL */

enum rm_target { T_FILE, T_LINK, T_DIR, T_MISSING, T_BADPATH, T_FD,
		 T_DIRFD, T_OPATH, T_BADFD };

/* the objects as every side starts from */
static void rm_fresh(void)
{
	unsigned char acl[64];
	size_t n = make_acl(acl);

	unlink(RM_L);
	unlink(RM_P);
	rmdir(RM_D);
	assert_int_equal(mkfile(RM_P, 0644), 0);
	assert_int_equal(set1(RM_P, "trusted.r", "r", 1, false), 0);
	assert_int_equal(set1(RM_P, "security.r", "s", 1, false), 0);
	if (setxattr(RM_P, "user.r", "u", 1, 0))
		assert_int_equal(errno, EOPNOTSUPP);	/* 6.1's tmpfs */
	assert_true(!acls ||
		    !set1(RM_P, "system.posix_acl_access", acl, n, false));
	assert_int_equal(symlink("rm", RM_L), 0);
	assert_int_equal(set1(RM_L, "trusted.l", "l", 1, true), 0);
	assert_int_equal(mkdir(RM_D, 0755), 0);
	assert_true(!acls ||
		    !set1(RM_D, "system.posix_acl_default", acl, n, false));
}

/* what a side did: its result, the three lists after, IN_ATTRIB events */
struct rm_seen {
	long ret;
	ssize_t nf, nl, nd;
	char lf[512], ll[512], ld[512];
	int attrib;
	mode_t mode;
};

static void rm_side(bool chained, bool root, uint32_t nr, enum rm_target t,
		    uint64_t name, struct rm_seen *o)
{
	static const char *const paths[] = { RM_P, RM_L, RM_D, D "/missing" };
	char ev[4096];
	uint64_t a0;
	int fd = -1, in, w1, w2, w3;
	struct stat st;
	ssize_t n;

	rm_fresh();
	memset(o, 0, sizeof(*o));
	in = inotify_init1(IN_NONBLOCK);
	assert_true(in >= 0);
	w1 = inotify_add_watch(in, RM_P, IN_ATTRIB);
	w2 = inotify_add_watch(in, RM_D, IN_ATTRIB);
	w3 = inotify_add_watch(in, RM_L, IN_ATTRIB | IN_DONT_FOLLOW);
	assert_true(w1 >= 0 && w2 >= 0 && w3 >= 0);
	switch (t) {
	case T_BADPATH: a0 = BAD_PTR; break;
	case T_FD: fd = open(RM_P, O_RDONLY); break;
	case T_DIRFD: fd = open(RM_D, O_RDONLY | O_DIRECTORY); break;
	case T_OPATH: fd = open(RM_P, O_PATH); break;
	case T_BADFD: a0 = 9999; break;
	default: a0 = N(paths[t]); break;
	}
	if (t == T_FD || t == T_DIRFD || t == T_OPATH) {
		assert_true(fd >= 0);
		a0 = (uint64_t)fd;
	}
	/* as nobody: only the call (effective ids, saved root) */
	if (!root) {
		assert_int_equal(setegid(NOBODY), 0);
		assert_int_equal(seteuid(NOBODY), 0);
	}
	o->ret = chained ? g_chain1(nr, a0, name, 0, 0, 0, 0) :
			   g_sys(nr, a0, name, 0, 0, 0, 0);
	if (!root) {
		assert_int_equal(seteuid(0), 0);
		assert_int_equal(setegid(0), 0);
	}
	if (fd >= 0)
		close(fd);
	o->nf = llistxattr(RM_P, o->lf, sizeof(o->lf));
	o->nl = llistxattr(RM_L, o->ll, sizeof(o->ll));
	o->nd = llistxattr(RM_D, o->ld, sizeof(o->ld));
	assert_int_equal(stat(RM_P, &st), 0);
	o->mode = st.st_mode;
	while ((n = read(in, ev, sizeof(ev))) > 0) {
		char *p = ev;

		while (p < ev + n) {
			struct inotify_event *e = (void *)p;

			o->attrib += !!(e->mask & IN_ATTRIB);
			p += sizeof(*e) + e->len;
		}
	}
	close(in);
}

static int rm_case(bool root, uint32_t nr, enum rm_target t, uint64_t name,
		   long expect)
{
	static struct rm_seen c, s;

	rm_side(false, root, nr, t, name, &s);
	rm_side(true, root, nr, t, name, &c);
	if (c.ret == s.ret && (expect == ANY || c.ret == expect) &&
	    c.nf == s.nf && c.nl == s.nl && c.nd == s.nd &&
	    (c.nf <= 0 || !memcmp(c.lf, s.lf, c.nf)) &&
	    (c.nl <= 0 || !memcmp(c.ll, s.ll, c.nl)) &&
	    (c.nd <= 0 || !memcmp(c.ld, s.ld, c.nd)) &&
	    c.attrib == s.attrib && c.mode == s.mode &&
	    (s.ret || s.attrib))	/* a removal is an event */
		return 0;
	printf("nr %u target %d name %s: chain %ld (lists %zd %zd %zd, %d IN_ATTRIB), syscall %ld (%zd %zd %zd, %d), expected %ld\n",
	       nr, (int)t, name > 4096 ? (const char *)(uintptr_t)name : "(bad)",
	       c.ret, c.nf, c.nl, c.nd, c.attrib, s.ret, s.nf, s.nl, s.nd,
	       s.attrib, expect);
	return 1;
}

/* the cases; @root false: as nobody, where trusted, security and ACLs fail */
static int rm_cases(bool root)
{
	const uint32_t rm = __NR_removexattr, lrm = __NR_lremovexattr,
		       frm = __NR_fremovexattr;
	/* as nobody: trusted.* is EPERM; the others as the syscall says */
	const long eperm = root ? 0 : ANY;
	const long acl = !acls ? -EOPNOTSUPP : eperm;
	int bad = 0;

	bad |= rm_case(root, rm, T_FILE, N("trusted.r"), root ? 0 : -EPERM);
	bad |= rm_case(root, rm, T_FILE, N("security.r"), eperm);
	bad |= rm_case(root, rm, T_FILE, N("user.r"), ANY);
	bad |= rm_case(root, rm, T_FILE, N("system.posix_acl_access"), acl);
	bad |= rm_case(root, rm, T_DIR, N("system.posix_acl_default"), acl);
	bad |= rm_case(root, rm, T_FILE, N("trusted.none"), root ? -ENODATA : -EPERM);
	bad |= rm_case(root, rm, T_FILE, N("other.x"), root ? -EOPNOTSUPP : ANY);
	bad |= rm_case(root, rm, T_FILE, N(""), -ERANGE);
	bad |= rm_case(root, rm, T_FILE, N(long_name), -ERANGE);
	bad |= rm_case(root, rm, T_FILE, BAD_PTR, -EFAULT);
	bad |= rm_case(root, rm, T_LINK, N("trusted.r"), eperm);
	bad |= rm_case(root, rm, T_MISSING, N("trusted.r"), -ENOENT);
	bad |= rm_case(root, rm, T_BADPATH, N("trusted.r"), -EFAULT);
	/* which comes first, the lookup or the name: 6.1 and 6.12 differ */
	bad |= rm_case(root, rm, T_MISSING, BAD_PTR, ANY);
	bad |= rm_case(root, rm, T_MISSING, N(""), ANY);
	bad |= rm_case(root, lrm, T_LINK, N("trusted.l"), eperm);
	bad |= rm_case(root, lrm, T_LINK, N("trusted.r"), root ? -ENODATA : -EPERM);
	bad |= rm_case(root, lrm, T_FILE, N("trusted.r"), eperm);
	bad |= rm_case(root, frm, T_FD, N("trusted.r"), eperm);
	bad |= rm_case(root, frm, T_FD, N("system.posix_acl_access"), acl);
	bad |= rm_case(root, frm, T_DIRFD, N("system.posix_acl_default"), acl);
	bad |= rm_case(root, frm, T_FD, N(""), -ERANGE);
	bad |= rm_case(root, frm, T_FD, BAD_PTR, -EFAULT);
	bad |= rm_case(root, frm, T_OPATH, N("trusted.r"), -EBADF);
	bad |= rm_case(root, frm, T_BADFD, N("trusted.r"), -EBADF);
	return bad;
}

/*
 * removexattr and its variants against the syscalls, each case on fresh
 * objects: the result, the lists left on the file, the link and the
 * directory, IN_ATTRIB, the file's mode (an access ACL's removal keeps
 * it); POSIX ACL names removed as the syscalls remove them (6.12:
 * vfs_remove_acl()); as root and as nobody; on a read-only mount, where
 * write access is taken before the name (6.1) or after it (6.12).
 */
/* on the read-only mount: the results (nothing can change there) */
static int rm_read_only(void)
{
	const struct { uint32_t nr; bool byfd; uint64_t name; long expect; } k[] = {
		{ __NR_removexattr, false, N("trusted.r"), -EROFS },
		{ __NR_removexattr, false, N(""), ANY },
		{ __NR_removexattr, false, BAD_PTR, ANY },
		{ __NR_lremovexattr, false, N("trusted.none"), -EROFS },
		{ __NR_fremovexattr, true, N("trusted.r"), -EROFS },
		{ __NR_fremovexattr, true, N(long_name), ANY },
		{ __NR_fremovexattr, true, BAD_PTR, ANY },
	};
	int fd = open(RM_P, O_RDONLY), bad = 0;
	size_t i;

	assert_true(fd >= 0);
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		uint64_t a0 = k[i].byfd ? (uint64_t)fd : N(RM_P);
		long rc = g_chain1(k[i].nr, a0, k[i].name, 0, 0, 0, 0);
		long rs = g_sys(k[i].nr, a0, k[i].name, 0, 0, 0, 0);

		if (rc != rs || (k[i].expect != ANY && rc != k[i].expect)) {
			printf("read-only case %zu: chain %ld, syscall %ld, expected %ld\n",
			       i, rc, rs, k[i].expect);
			bad = 1;
		}
	}
	close(fd);
	return bad;
}

static void test_removexattr(void **state)
{
	(void)state;
	G_BOUND(120);
	assert_int_equal(rm_cases(true), 0);
	assert_int_equal(rm_cases(false), 0);
	rm_fresh();
	assert_int_equal(mount(NULL, D, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	assert_int_equal(rm_read_only(), 0);
	assert_int_equal(mount(NULL, D, NULL, MS_REMOUNT, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getxattr),
		cmocka_unit_test(test_listxattr),
		cmocka_unit_test(test_fgetxattr_flistxattr),
		cmocka_unit_test(test_acl_refused),
		cmocka_unit_test(test_xattr_chain),
		cmocka_unit_test(test_removexattr),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
