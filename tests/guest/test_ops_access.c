// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * faccessat and faccessat2: each case through a chain against the plain
 * syscall, under several identities (root, nobody, real and effective
 * ids that differ, fsuid, SECBIT_NO_SETUID_FIXUP, a root without
 * CAP_DAC_OVERRIDE in its effective set), on root-only files, symlinks,
 * relative to directory descriptors, on a noexec mount (X_OK), on
 * read-only mounts (W_OK, EROFS: superblock and bind mount) and with the
 * error cases (EINVAL, EFAULT, EBADF, ENOENT, ENOTDIR). On a strictatime
 * tmpfs, the symlinks a lookup follows get their atime moved: the chain
 * must move the same ones (and send the same inotify events: none).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include "guest.h"

#define D		"/tmp/sc-access"
#define NOEXEC		D "/noexec"
#define RO		D "/ro"
#define ROBIND		"/tmp/sc-access-robind"
#define ATIME		D "/atime"	/* strictatime: a followed link's atime moves */
#define BAD_PTR		((uint64_t)1)
#define DIRFD		(-1000)	/* placeholder: the open directory */
#define FILEFD		(-1001)	/* placeholder: an open regular file */
#define PATHFD		(-1002)	/* placeholder: an O_PATH fd of a root-only file */
#define NUL_PATH	((const char *)0)
#define BAD_PATH	((const char *)1)
#define NOBODY		65534
#define FAIL		(-100000L)	/* the chain did not run as expected */

static int dirfd_, filefd_, pathfd_;

static int xsystem(const char *cmd)
{
	int r = system(cmd);

	if (r)
		print_message("setup: '%s' failed (%d)\n", cmd, r);
	return r;
}

static int mkfile(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, "x", 1) != 1 || fchown(fd, uid, gid) ||
	    fchmod(fd, mode)) {
		print_message("setup: %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	umount2(ATIME, MNT_DETACH);
	umount2(ROBIND, MNT_DETACH);
	umount2(RO, MNT_DETACH);
	umount2(NOEXEC, MNT_DETACH);
	if (xsystem("rm -rf " D " " ROBIND))
		return -1;
	if (mkdir(D, 0755) || chmod(D, 0755) || mkdir(D "/dir", 0755) ||
	    mkdir(D "/private", 0700) || mkdir(NOEXEC, 0755) ||
	    mkdir(RO, 0755) || mkdir(ROBIND, 0755))
		return -1;
	if (mkfile(D "/root_only", 0600, 0, 0) ||
	    mkfile(D "/root_exec", 0700, 0, 0) ||
	    mkfile(D "/all_rw", 0666, 0, 0) ||
	    mkfile(D "/exec_all", 0755, 0, 0) ||
	    mkfile(D "/none", 0000, 0, 0) ||
	    mkfile(D "/nobody_only", 0600, NOBODY, NOBODY) ||
	    mkfile(D "/other_only", 0700, 1000, 1000) ||
	    mkfile(D "/group_r", 0040, 0, 100) ||
	    mkfile(D "/private/inner", 0644, 0, 0))
		return -1;
	if (symlink("root_only", D "/link") || symlink("nope", D "/dangling") ||
	    mkfifo(D "/fifo", 0666) || chmod(D "/fifo", 0666))
		return -1;

	/* a noexec tmpfs: X_OK on a regular file is EACCES even for root */
	if (mount("tmpfs", NOEXEC, "tmpfs", MS_NOEXEC, "mode=0755")) {
		print_message("setup: mount noexec: %s\n", strerror(errno));
		return -1;
	}
	if (mkfile(NOEXEC "/exe", 0755, 0, 0) || mkdir(NOEXEC "/dir", 0755))
		return -1;

	/* a tmpfs made read-only (sb_rdonly) */
	if (mount("tmpfs", RO, "tmpfs", 0, "mode=0755")) {
		print_message("setup: mount ro: %s\n", strerror(errno));
		return -1;
	}
	if (mkfile(RO "/all_rw", 0666, 0, 0) || mkfile(RO "/root_rw", 0644, 0, 0) ||
	    mkfifo(RO "/fifo", 0666) || chmod(RO "/fifo", 0666) ||
	    mkdir(RO "/dir", 0777) || chmod(RO "/dir", 0777))
		return -1;
	if (mount(NULL, RO, NULL, MS_REMOUNT | MS_RDONLY, NULL)) {
		print_message("setup: remount ro: %s\n", strerror(errno));
		return -1;
	}
	/* a read-only bind mount of a writable fs (MNT_READONLY only) */
	if (mount(D, ROBIND, NULL, MS_BIND, NULL) ||
	    mount(NULL, ROBIND, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL)) {
		print_message("setup: ro bind: %s\n", strerror(errno));
		return -1;
	}

	/* links to follow where atime moves on every access */
	if (g_mount_strictatime(ATIME) || mkfile(ATIME "/file", 0644, 0, 0) ||
	    mkdir(ATIME "/dir", 0755) || symlink("file", ATIME "/link") ||
	    symlink("link", ATIME "/link2") || symlink("dir", ATIME "/dlink") ||
	    symlink("nope", ATIME "/dangling")) {
		print_message("setup: %s: %s\n", ATIME, strerror(errno));
		return -1;
	}

	dirfd_ = open(D, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	filefd_ = open(D "/all_rw", O_RDONLY | O_CLOEXEC);
	pathfd_ = open(D "/root_only", O_PATH | O_CLOEXEC);
	if (dirfd_ < 0 || filefd_ < 0 || pathfd_ < 0)
		return -1;
	g_dev();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	umount2(ATIME, MNT_DETACH);
	umount2(ROBIND, MNT_DETACH);
	umount2(RO, MNT_DETACH);
	umount2(NOEXEC, MNT_DETACH);
	return 0;
}

/* ---- identities, set in a child ---------------------------------------- */

static int drop_effective_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(__NR_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	return syscall(__NR_capset, &h, d) ? -1 : 0;
}

enum ident {
	ID_ROOT,
	ID_NOBODY,
	ID_REAL_NOBODY_EUID_ROOT,	/* setresuid(65534, 0, 0): a setuid-root program */
	ID_REAL_ROOT_EUID_NOBODY,	/* setresuid(0, 65534, 0) */
	ID_FSUID_NOBODY,		/* root with setfsuid(65534) */
	ID_NO_SETUID_FIXUP,		/* SECBIT_NO_SETUID_FIXUP, then setresuid(65534, 0, 0) */
	ID_EGID_100,			/* uid nobody, setresgid(65534, 100, 100) */
	ID_ROOT_NO_DAC_EFFECTIVE,	/* uid 0, CAP_DAC_OVERRIDE/READ_SEARCH out of the effective set */
	ID_COUNT
};

static const char *const ident_name[ID_COUNT] = {
	"root", "nobody", "ruid nobody euid root", "ruid root euid nobody",
	"fsuid nobody", "no-setuid-fixup", "egid 100", "root without DAC in effective",
};

static int set_ident(enum ident id)
{
	switch (id) {
	case ID_ROOT:
		return 0;
	case ID_NOBODY:
		return setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		       setresuid(NOBODY, NOBODY, NOBODY);
	case ID_REAL_NOBODY_EUID_ROOT:
		return setgroups(0, NULL) || setresgid(NOBODY, 0, 0) ||
		       setresuid(NOBODY, 0, 0);
	case ID_REAL_ROOT_EUID_NOBODY:
		return setgroups(0, NULL) || setresgid(0, NOBODY, 0) ||
		       setresuid(0, NOBODY, 0);
	case ID_FSUID_NOBODY:
		setfsgid(NOBODY);
		setfsuid(NOBODY);
		return setfsuid(-1) != NOBODY;
	case ID_NO_SETUID_FIXUP:
		return prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) ||
		       setgroups(0, NULL) || setresuid(NOBODY, 0, 0);
	case ID_EGID_100:
		return setgroups(0, NULL) || setresgid(NOBODY, 100, 100) ||
		       setresuid(NOBODY, NOBODY, NOBODY);
	case ID_ROOT_NO_DAC_EFFECTIVE:
		return drop_effective_cap(CAP_DAC_OVERRIDE) ||
		       drop_effective_cap(CAP_DAC_READ_SEARCH);
	default:
		return -1;
	}
}

/* ---- the cases ---------------------------------------------------------- */

struct acase {
	int dfd;
	const char *path;
	int mode;
	int flags;
};

#define ALL_MODES(dfd, p, fl) \
	{ dfd, p, F_OK, fl }, { dfd, p, R_OK, fl }, { dfd, p, W_OK, fl }, \
	{ dfd, p, X_OK, fl }, { dfd, p, R_OK | W_OK | X_OK, fl }

#define ALL_FLAGS(dfd, p) \
	ALL_MODES(dfd, p, 0), ALL_MODES(dfd, p, AT_EACCESS), \
	ALL_MODES(dfd, p, AT_SYMLINK_NOFOLLOW)

static const struct acase cases[] = {
	ALL_FLAGS(AT_FDCWD, D "/root_only"),
	ALL_FLAGS(AT_FDCWD, D "/root_exec"),
	ALL_FLAGS(AT_FDCWD, D "/all_rw"),
	ALL_FLAGS(AT_FDCWD, D "/exec_all"),
	ALL_FLAGS(AT_FDCWD, D "/none"),
	ALL_FLAGS(AT_FDCWD, D "/nobody_only"),
	ALL_FLAGS(AT_FDCWD, D "/other_only"),
	ALL_FLAGS(AT_FDCWD, D "/group_r"),
	ALL_FLAGS(AT_FDCWD, D "/dir"),
	ALL_FLAGS(AT_FDCWD, D "/private"),
	ALL_FLAGS(AT_FDCWD, D "/private/inner"),
	ALL_FLAGS(AT_FDCWD, D "/fifo"),
	ALL_FLAGS(AT_FDCWD, D "/link"),
	ALL_FLAGS(AT_FDCWD, D "/dangling"),
	ALL_FLAGS(AT_FDCWD, "/dev/null"),
	/* noexec: X_OK on a regular file EACCES, on a directory not */
	ALL_FLAGS(AT_FDCWD, NOEXEC "/exe"),
	ALL_FLAGS(AT_FDCWD, NOEXEC "/dir"),
	/* read-only superblock: EROFS from the permission check itself */
	ALL_FLAGS(AT_FDCWD, RO "/all_rw"),
	ALL_FLAGS(AT_FDCWD, RO "/root_rw"),
	ALL_FLAGS(AT_FDCWD, RO "/fifo"),
	ALL_FLAGS(AT_FDCWD, RO "/dir"),
	/* read-only bind mount: EROFS from the __mnt_is_readonly() test */
	ALL_FLAGS(AT_FDCWD, ROBIND "/all_rw"),
	ALL_FLAGS(AT_FDCWD, ROBIND "/root_only"),
	ALL_FLAGS(AT_FDCWD, ROBIND "/fifo"),
	ALL_FLAGS(AT_FDCWD, ROBIND "/dir"),
	ALL_FLAGS(AT_FDCWD, ROBIND "/link"),
	/* relative to a directory descriptor */
	ALL_FLAGS(DIRFD, "root_only"),
	ALL_FLAGS(DIRFD, "all_rw"),
	ALL_FLAGS(DIRFD, "link"),
	ALL_FLAGS(DIRFD, "../sc-access/private/inner"),
	ALL_FLAGS(DIRFD, "noexec/exe"),
	ALL_FLAGS(DIRFD, D "/exec_all"),	/* absolute: the descriptor ignored */
	ALL_FLAGS(DIRFD, "."),
	/* AT_EMPTY_PATH: the descriptor itself */
	ALL_MODES(DIRFD, "", AT_EMPTY_PATH),
	ALL_MODES(FILEFD, "", AT_EMPTY_PATH),
	ALL_MODES(PATHFD, "", AT_EMPTY_PATH),
	ALL_MODES(PATHFD, "", AT_EMPTY_PATH | AT_EACCESS),
	ALL_MODES(PATHFD, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW),
	ALL_MODES(DIRFD, "", 0),		/* ENOENT */
	ALL_MODES(DIRFD, NUL_PATH, AT_EMPTY_PATH),
	ALL_MODES(AT_FDCWD, "", AT_EMPTY_PATH),
	/* ENOENT, ENOTDIR, EBADF, EFAULT, EINVAL */
	ALL_FLAGS(AT_FDCWD, D "/nope"),
	ALL_FLAGS(AT_FDCWD, D "/root_only/x"),
	ALL_FLAGS(AT_FDCWD, D "/root_only/"),
	ALL_FLAGS(FILEFD, "x"),
	ALL_FLAGS(9999, "x"),
	ALL_FLAGS(-5, "x"),
	ALL_FLAGS(9999, D "/all_rw"),
	ALL_FLAGS(AT_FDCWD, BAD_PATH),
	ALL_FLAGS(AT_FDCWD, NUL_PATH),
	{ AT_FDCWD, D "/all_rw", 8, 0 },
	{ AT_FDCWD, D "/all_rw", 0x10, 0 },
	{ AT_FDCWD, D "/all_rw", -1, 0 },
	{ AT_FDCWD, D "/all_rw", R_OK, 0x1 },
	{ AT_FDCWD, D "/all_rw", R_OK, AT_SYMLINK_FOLLOW },
	{ AT_FDCWD, D "/all_rw", R_OK, AT_NO_AUTOMOUNT },
	{ AT_FDCWD, D "/all_rw", R_OK, -1 },
	{ AT_FDCWD, BAD_PATH, 8, 0 },		/* EINVAL before EFAULT */
	{ AT_FDCWD, BAD_PATH, R_OK, 0x1 },
	{ 9999, "x", 8, 0 },			/* EINVAL before EBADF */
	{ AT_FDCWD, D "/all_rw", R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* on the strictatime tree: which links a lookup follows (atime) */
static const struct acase atime_cases[] = {
	ALL_FLAGS(AT_FDCWD, ATIME "/link"),
	ALL_FLAGS(AT_FDCWD, ATIME "/link2"),
	ALL_FLAGS(AT_FDCWD, ATIME "/dlink"),
	ALL_FLAGS(AT_FDCWD, ATIME "/dlink/"),
	ALL_FLAGS(AT_FDCWD, ATIME "/dlink/.."),
	ALL_FLAGS(AT_FDCWD, ATIME "/dangling"),
	ALL_FLAGS(AT_FDCWD, ATIME "/file"),
	ALL_FLAGS(AT_FDCWD, ATIME "/dir"),
	ALL_FLAGS(DIRFD, "atime/link2"),
};

#define NATIME_CASES (sizeof(atime_cases) / sizeof(atime_cases[0]))

static uint64_t real_dfd(int dfd)
{
	switch (dfd) {
	case DIRFD:
		return (uint64_t)(int64_t)dirfd_;
	case FILEFD:
		return (uint64_t)(int64_t)filefd_;
	case PATHFD:
		return (uint64_t)(int64_t)pathfd_;
	default:
		return (uint64_t)(int64_t)dfd;
	}
}

/* One op through a chain, without cmocka (this runs in children too). */
static long chain_one(uint32_t nr, const uint64_t *a, int nargs)
{
	struct g_chain c;

	g_init(&c);
	g_op_u64(&c, nr, nargs, a);
	g_prepare(&c, 0);
	memset(c.res, 0xa5, sizeof(c.res));
	if (ioctl(g_dev(), SYSCHAIN_RUN, &c.run) < 0) {
		fprintf(stderr, "ioctl: %s\n", strerror(errno));
		return FAIL;
	}
	if (c.run.status != SYSCHAIN_STATUS_COMPLETED || c.run.steps != 1 ||
	    c.res[0].count != 1)
		return FAIL;
	return c.res[0].ret;
}

struct tally {
	unsigned int ran, mismatches, ok, eacces, erofs, atimes;
};

/* what a call on the atime tree is compared on: the tree and its links */
static void atime_observe(struct g_obs *o)
{
	static const char *const links[] = {
		ATIME "/link", ATIME "/link2", ATIME "/dlink", ATIME "/dangling",
	};
	size_t i;

	g_obs_init(o);
	g_obs_add(o, ATIME, 0);
	g_obs_add(o, ATIME "/file", 0);
	g_obs_add(o, ATIME "/dir", 0);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		g_obs_add(o, links[i], G_OBJ_NOFOLLOW);
}

/* One call, the chain's or the syscall's; observed when @o */
static long one_call(uint32_t nr, const uint64_t *a, int nargs, int chained,
		     struct g_obs *o)
{
	long r;

	if (o) {
		atime_observe(o);
		g_obs_begin(o);
	}
	r = chained ? chain_one(nr, a, nargs) :
		      g_sys(nr, a[0], a[1], a[2], nargs > 3 ? a[3] : 0, 0, 0);
	if (o)
		g_obs_end(o);
	return r;
}

/*
 * faccessat2, and faccessat when the flags are 0: chain against syscall;
 * with @observed, their effects on the atime tree as well.
 */
static void run_case(const struct acase *k, struct tally *t, const char *who,
		     int observed)
{
	static struct g_obs oc, os;
	uint64_t a[4] = { real_dfd(k->dfd), (uintptr_t)k->path,
			  (uint64_t)(int64_t)k->mode, (uint64_t)(int64_t)k->flags };
	int pass, i;

	for (pass = 0; pass < 2; pass++) {
		uint32_t nr = pass ? __NR_faccessat : __NR_faccessat2;
		const char *name = pass ? "faccessat" : "faccessat2";
		long want, got;
		char what[160];

		if (pass && k->flags)
			continue;
		want = one_call(nr, a, pass ? 3 : 4, 0, observed ? &os : NULL);
		got = one_call(nr, a, pass ? 3 : 4, 1, observed ? &oc : NULL);
		t->ran++;
		t->ok += want == 0;
		t->eacces += want == -EACCES;
		t->erofs += want == -EROFS;
		snprintf(what, sizeof(what), "%s: %s(%d, %s, %#x, %#x)", who,
			 name, (int)a[0], k->path == NUL_PATH ? "NULL" :
			 k->path == BAD_PATH ? "(bad)" : k->path, k->mode,
			 k->flags);
		if (got != want) {
			t->mismatches++;
			fprintf(stderr, "%s: chain %ld, syscall %ld\n", what,
				got, want);
		}
		if (!observed)
			continue;
		if (g_obs_diff(&oc, &os, what))
			t->mismatches++;
		for (i = 0; i < os.n; i++)
			t->atimes += !!(os.obj[i].changed & G_ATIME);
	}
}

/* What the syscall must answer, so that the cases above really differ. */
struct expect {
	enum ident id;
	const char *path;
	int mode, flags;
	long ret;
};

static const struct expect expects[] = {
	{ ID_ROOT, D "/root_only", R_OK | W_OK, 0, 0 },
	{ ID_ROOT, D "/root_only", X_OK, 0, -EACCES },
	{ ID_ROOT, D "/other_only", R_OK | W_OK | X_OK, 0, 0 },
	{ ID_ROOT, NOEXEC "/exe", X_OK, 0, -EACCES },
	{ ID_ROOT, NOEXEC "/exe", R_OK, 0, 0 },
	{ ID_ROOT, NOEXEC "/dir", X_OK, 0, 0 },
	{ ID_ROOT, RO "/all_rw", W_OK, 0, -EROFS },
	{ ID_ROOT, RO "/fifo", W_OK, 0, 0 },
	{ ID_ROOT, ROBIND "/all_rw", W_OK, 0, -EROFS },
	{ ID_ROOT, ROBIND "/fifo", W_OK, 0, 0 },
	{ ID_NOBODY, D "/root_only", R_OK, 0, -EACCES },
	{ ID_NOBODY, D "/root_only", F_OK, 0, 0 },
	{ ID_NOBODY, D "/nobody_only", R_OK | W_OK, 0, 0 },
	{ ID_NOBODY, D "/private/inner", F_OK, 0, -EACCES },
	{ ID_NOBODY, D "/link", W_OK, AT_SYMLINK_NOFOLLOW, 0 },
	{ ID_NOBODY, D "/link", R_OK, 0, -EACCES },
	{ ID_NOBODY, RO "/root_rw", W_OK, 0, -EROFS },	/* sb read-only first */
	{ ID_NOBODY, ROBIND "/root_only", W_OK, 0, -EACCES },
	{ ID_REAL_NOBODY_EUID_ROOT, D "/root_only", R_OK, 0, -EACCES },
	{ ID_REAL_NOBODY_EUID_ROOT, D "/root_only", R_OK, AT_EACCESS, 0 },
	{ ID_REAL_NOBODY_EUID_ROOT, D "/nobody_only", R_OK, 0, 0 },
	{ ID_REAL_ROOT_EUID_NOBODY, D "/root_only", R_OK, 0, 0 },
	{ ID_REAL_ROOT_EUID_NOBODY, D "/other_only", R_OK, 0, 0 },
	{ ID_REAL_ROOT_EUID_NOBODY, D "/root_only", R_OK, AT_EACCESS, -EACCES },
	{ ID_FSUID_NOBODY, D "/root_only", R_OK, 0, 0 },
	{ ID_FSUID_NOBODY, D "/other_only", R_OK, 0, 0 },
	/* setfsuid() away from 0 dropped the fs capabilities */
	{ ID_FSUID_NOBODY, D "/other_only", R_OK, AT_EACCESS, -EACCES },
	{ ID_FSUID_NOBODY, D "/root_only", R_OK, AT_EACCESS, -EACCES },
	{ ID_FSUID_NOBODY, D "/nobody_only", R_OK, AT_EACCESS, 0 },
	{ ID_NO_SETUID_FIXUP, D "/root_only", R_OK, 0, 0 },
	{ ID_NO_SETUID_FIXUP, D "/other_only", R_OK, 0, 0 },
	{ ID_EGID_100, D "/group_r", R_OK, 0, -EACCES },
	{ ID_EGID_100, D "/group_r", R_OK, AT_EACCESS, 0 },
	{ ID_ROOT_NO_DAC_EFFECTIVE, D "/other_only", R_OK, 0, 0 },
	{ ID_ROOT_NO_DAC_EFFECTIVE, D "/other_only", R_OK, AT_EACCESS, -EACCES },
};

/*
 * openat on the same names and descriptors: chain against syscall, under
 * the identity's credentials (search permission on the way, the file's
 * own, read-only mounts). Non-blocking, so that a FIFO does not wait for
 * its other end; a success on both sides must be the same file.
 */
static void run_open_case(const struct acase *k, struct tally *t,
			  const char *who)
{
	static const int oflags[] = {
		O_RDONLY, O_WRONLY, O_RDWR | O_NOFOLLOW, O_PATH,
		O_RDONLY | O_DIRECTORY, O_WRONLY | O_APPEND,
	};
	size_t i;

	for (i = 0; i < sizeof(oflags) / sizeof(oflags[0]); i++) {
		uint64_t a[4] = { real_dfd(k->dfd), (uintptr_t)k->path,
				  oflags[i] | O_NONBLOCK | O_CLOEXEC, 0 };
		long want = g_sys(__NR_openat, a[0], a[1], a[2], 0, 0, 0);
		long got = chain_one(__NR_openat, a, 4);
		struct stat sw, sg;
		bool same = got == want;

		if (want >= 0 && got >= 0)
			same = !fstat((int)want, &sw) && !fstat((int)got, &sg) &&
			       sw.st_dev == sg.st_dev && sw.st_ino == sg.st_ino &&
			       fcntl((int)want, F_GETFL) == fcntl((int)got, F_GETFL);
		t->ran++;
		if (!same) {
			t->mismatches++;
			fprintf(stderr, "%s: openat(%d, %s, %#x): chain %ld, syscall %ld\n",
				who, (int)a[0], k->path == NUL_PATH ? "NULL" :
				k->path == BAD_PATH ? "(bad)" : k->path,
				(int)a[2], got, want);
		}
		if (want >= 0)
			close((int)want);
		if (got >= 0)
			close((int)got);
	}
}

static int child_main(enum ident id)
{
	struct tally t = { 0 };
	unsigned int i, bad_expect = 0;

	if (set_ident(id)) {
		fprintf(stderr, "%s: cannot set the identity: %s\n",
			ident_name[id], strerror(errno));
		return 2;
	}
	for (i = 0; i < NCASES; i++)
		run_case(&cases[i], &t, ident_name[id], 0);
	for (i = 0; i < NATIME_CASES; i++)
		run_case(&atime_cases[i], &t, ident_name[id], 1);
	for (i = 0; i < NCASES; i++)
		if (!i || cases[i].dfd != cases[i - 1].dfd ||
		    cases[i].path != cases[i - 1].path)
			run_open_case(&cases[i], &t, ident_name[id]);
	/* following a link did move atimes */
	if (!t.atimes) {
		fprintf(stderr, "%s: no call moved an atime\n", ident_name[id]);
		bad_expect++;
	}
	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct expect *e = &expects[i];
		long r;

		if (e->id != id)
			continue;
		r = g_sys(__NR_faccessat2, AT_FDCWD, (uintptr_t)e->path,
			  e->mode, e->flags, 0, 0);
		if (r != e->ret) {
			bad_expect++;
			fprintf(stderr, "%s: faccessat2(%s, %#x, %#x) = %ld, expected %ld\n",
				ident_name[id], e->path, e->mode, e->flags, r, e->ret);
		}
	}
	fprintf(stderr, "%s: %u calls, %u mismatches (syscall: %u ok, %u EACCES, %u EROFS, %u atimes moved)\n",
		ident_name[id], t.ran, t.mismatches, t.ok, t.eacces, t.erofs,
		t.atimes);
	return t.mismatches || bad_expect ? 1 : 0;
}

static void run_as(enum ident id)
{
	int status;
	pid_t pid;

	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(child_main(id));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("identity '%s': status %#x", ident_name[id], status);
}

static void test_root(void **state) { (void)state; run_as(ID_ROOT); }
static void test_nobody(void **state) { (void)state; run_as(ID_NOBODY); }
static void test_real_nobody_euid_root(void **state) { (void)state; run_as(ID_REAL_NOBODY_EUID_ROOT); }
static void test_real_root_euid_nobody(void **state) { (void)state; run_as(ID_REAL_ROOT_EUID_NOBODY); }
static void test_fsuid_nobody(void **state) { (void)state; run_as(ID_FSUID_NOBODY); }
static void test_no_setuid_fixup(void **state) { (void)state; run_as(ID_NO_SETUID_FIXUP); }
static void test_egid(void **state) { (void)state; run_as(ID_EGID_100); }
static void test_root_no_dac(void **state) { (void)state; run_as(ID_ROOT_NO_DAC_EFFECTIVE); }

/*
 * The chain leaves the caller's credentials as they were: a check with
 * the real ids, then an op that reports the fs ids' effect (creating a
 * file, whose owner is the fsuid).
 */
static void test_creds_restored(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	unlink(D "/dir/made");
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct g_chain c;
		struct stat st;

		if (set_ident(ID_REAL_NOBODY_EUID_ROOT))
			_exit(2);
		g_init(&c);
		g_opn(&c, __NR_faccessat, AT_FDCWD, (uintptr_t)D "/root_only", R_OK);
		g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)D "/dir/made",
		      O_WRONLY | O_CREAT | O_EXCL, 0600);
		g_opn(&c, __NR_close, 0);
		g_ref(&c, 2, 0, 1, 0);
		g_opn(&c, __NR_faccessat2, AT_FDCWD, (uintptr_t)D "/root_only", R_OK,
		      AT_EACCESS);
		g_prepare(&c, 0);
		if (ioctl(g_dev(), SYSCHAIN_RUN, &c.run) < 0)
			_exit(3);
		if (c.run.status != SYSCHAIN_STATUS_COMPLETED ||
		    c.res[0].ret != -EACCES || c.res[1].ret < 0 ||
		    c.res[2].ret != 0 || c.res[3].ret != 0)
			_exit(4);
		if (stat(D "/dir/made", &st) || st.st_uid != 0)
			_exit(5);
		/* and after the ioctl, the task's own ids are as before */
		if (getuid() != NOBODY || geteuid() != 0 || setfsuid(-1) != 0)
			_exit(6);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A directory descriptor that is the result of an earlier op. */
static void test_dirfd_from_chain(void **state)
{
	struct g_chain c;
	unsigned int o, a, b;

	(void)state;
	g_init(&c);
	o = g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)D, O_RDONLY | O_DIRECTORY);
	a = g_opn(&c, __NR_faccessat, 0, (uintptr_t)"root_only", R_OK | W_OK);
	g_ref(&c, a, 0, o, 0);
	b = g_opn(&c, __NR_faccessat2, 0, (uintptr_t)"noexec/exe", X_OK, AT_EACCESS);
	g_ref(&c, b, 0, o, 0);
	g_opn(&c, __NR_faccessat2, 0, (uintptr_t)"", F_OK, AT_EMPTY_PATH);
	g_ref(&c, 3, 0, o, 0);
	g_opn(&c, __NR_close, 0);
	g_ref(&c, 4, 0, o, 0);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_true(c.res[o].ret >= 0);
	assert_int_equal(c.res[a].ret, 0);
	assert_int_equal(c.res[b].ret, -EACCES);
	assert_int_equal(c.res[3].ret, 0);
	assert_int_equal(c.res[4].ret, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_nobody),
		cmocka_unit_test(test_real_nobody_euid_root),
		cmocka_unit_test(test_real_root_euid_nobody),
		cmocka_unit_test(test_fsuid_nobody),
		cmocka_unit_test(test_no_setuid_fixup),
		cmocka_unit_test(test_egid),
		cmocka_unit_test(test_root_no_dac),
		cmocka_unit_test(test_creds_restored),
		cmocka_unit_test(test_dirfd_from_chain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
