// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Exact semantics at the edges issue 12's review found, one test per
 * item fixed:
 *
 *  - the group switch (items 2 and 12): under disabled=1 the group is a gid
 *    of the initial user namespace. A user namespace that maps its
 *    creator's gid to the group grants nothing, one that maps the group to
 *    another gid takes nothing away, and CAP_SYS_ADMIN inside a user
 *    namespace is not the administrator's. The parameter takes any gid
 *    (above INT_MAX too), 4294967295 or -1 for none;
 *  - openat's flags (item 5): the three calls the review named (O_PATH
 *    with O_CREAT | O_DIRECTORY, O_PATH with O_TMPFILE, O_TMPFILE with
 *    access mode 3) open what the syscall opens; and every combination of
 *    the flags fs/open.c's build_open_how() and build_open_flags() judge
 *    (O_CREAT, O_DIRECTORY, O_TMPFILE, O_PATH, each access mode), with
 *    O_EXCL, O_TRUNC, O_NOFOLLOW, O_APPEND and the other flags openat(2)
 *    takes or drops, gives on seven kinds of target, as root and as
 *    nobody, the syscall's answer: the same errno, or a descriptor with
 *    the same flags, file type, mode, size and link count, and the same
 *    files left behind.
 *
 * The tests change the module's parameters (and the unprivileged user
 * namespace sysctl where the kernel has one) and put them back after,
 * failed or not.
 */
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "guest.h"

#define PARAMS		"/sys/module/syschain/parameters/"
#define USERNS_SYSCTL	"/proc/sys/kernel/unprivileged_userns_clone"
#define NOBODY		65534
#define GROUP_NS	5000		/* nobody's gid, as a namespace maps it */
#define GID_BIG		3000000000U	/* above INT_MAX */

/*
 * The kernel's values: glibc's __O_TMPFILE has O_DIRECTORY in it, and its
 * O_LARGEFILE is 0 on x86-64 and arm64 (the kernel's differ: x86's
 * asm/fcntl.h takes the generic one, arm64's its own).
 */
#define K_O_TMPFILE	020000000
#if defined(__aarch64__)
#define K_O_LARGEFILE	0400000
#else
#define K_O_LARGEFILE	0100000
#endif

/* ---- parameters, read and written as an administrator would ---------- */

static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* one write(2) of @value, as `echo value > file` makes: 0 or -errno */
static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		ret = -errno;
	close(fd);
	return ret;
}

static int write_param(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	return write_file(path, value);
}

static void set_param(const char *name, const char *value)
{
	int ret = write_param(name, value);

	if (ret)
		fail_msg("%s=%s: %s", name, value, strerror(-ret));
}

static const char *get_param(const char *name)
{
	static char buf[64];
	char path[128];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 0);
	return buf;
}

static char saved_disabled[64], saved_group[64], saved_userns[16];

static int save_params(void **state)
{
	(void)state;
	snprintf(saved_disabled, sizeof(saved_disabled), "%s",
		 get_param("disabled"));
	snprintf(saved_group, sizeof(saved_group), "%s", get_param("group"));
	saved_userns[0] = 0;
	if (!access(USERNS_SYSCTL, F_OK) &&
	    (read_file(USERNS_SYSCTL, saved_userns, sizeof(saved_userns)) ||
	     write_file(USERNS_SYSCTL, "1")))
		return -1;
	return 0;
}

static int restore_params(void **state)
{
	int bad = 0;

	(void)state;
	bad |= write_param("disabled", "0");
	bad |= write_param("group", saved_group);
	bad |= write_param("disabled", saved_disabled);
	if (saved_userns[0])
		bad |= write_file(USERNS_SYSCTL, saved_userns);
	return bad ? -1 : 0;
}

/* ---- who runs the chain ----------------------------------------------- */

/*
 * Run a one-op chain in a child that @setup made (0 from it, else the
 * child's exit code names what failed); the ioctl's answer, 0 or -errno.
 */
static int child_run(int (*setup)(void))
{
	int p[2], status, ret = 0;
	pid_t pid;

	g_dev();	/* opened as root, before any credentials change */
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct g_chain c;
		int rc = setup ? setup() : 0;

		close(p[0]);
		if (rc)
			guest_child_exit(rc);
		g_init(&c);
		g_op0(&c, __NR_getppid);
		g_prepare(&c, 0);
		ret = ioctl(g_dev(), SYSCHAIN_RUN, &c.run) < 0 ? -errno : 0;
		if (!ret && (c.run.status != SYSCHAIN_STATUS_COMPLETED ||
			     c.res[0].ret != getppid()))
			guest_child_exit(9);
		if (write(p[1], &ret, sizeof(ret)) != sizeof(ret))
			guest_child_exit(2);
		guest_child_exit(0);
	}
	close(p[1]);
	if (read(p[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = INT_MIN;
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("child setup or chain failed: status 0x%x", status);
	return ret;
}

static int become(gid_t gid, uid_t uid)
{
	return setgroups(0, NULL) || setgid(gid) || setuid(uid) ||
	       getegid() != gid || geteuid() != uid ? 3 : 0;
}

static int as_nobody(void)
{
	return become(NOBODY, NOBODY);
}

static int as_gid_big(void)
{
	return become(GID_BIG, NOBODY);
}

/* nobody, with GID_BIG among its supplementary groups only */
static int as_nobody_supp_big(void)
{
	const gid_t g = GID_BIG;

	return setgroups(1, &g) || setgid(NOBODY) || setuid(NOBODY) ? 3 : 0;
}

static int write_proc_self(const char *name, const char *s)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	return write_file(path, s);
}

/*
 * nobody in a user namespace of its own, where it is uid 0 (with every
 * capability of that namespace) and its gid is @ns_gid
 */
static int userns_as(gid_t ns_gid)
{
	char map[64];

	/* a set*id() made the task undumpable: /proc/self would be root's */
	if (as_nobody() || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return 3;
	if (unshare(CLONE_NEWUSER))
		return 4;
	snprintf(map, sizeof(map), "%u %u 1\n", ns_gid, NOBODY);
	if (write_proc_self("setgroups", "deny") ||
	    write_proc_self("gid_map", map) ||
	    write_proc_self("uid_map", "0 65534 1\n"))
		return 5;
	return getgid() == ns_gid && getuid() == 0 ? 0 : 6;
}

static int userns_group_ns(void)
{
	return userns_as(GROUP_NS);
}

static int userns_gid_zero(void)
{
	return userns_as(0);
}

/*
 * Item 2: disabled=1 group=G. A user creates a user namespace mapping its
 * own gid to G: the gid is G in that namespace only, and chains stay
 * refused. Before the fix the module read the group in the caller's
 * namespace, and this child ran chains.
 */
static void test_group_is_init_ns_gid(void **state)
{
	char g[32];

	(void)state;
	assert_int_equal(child_run(as_nobody), 0);
	set_param("disabled", "1");

	snprintf(g, sizeof(g), "%u", GROUP_NS);
	set_param("group", g);
	assert_int_equal(child_run(NULL), 0);		/* CAP_SYS_ADMIN */
	assert_int_equal(child_run(as_nobody), -EPERM);
	assert_int_equal(child_run(userns_group_ns), -EPERM);
	assert_int_equal(child_run(userns_gid_zero), -EPERM);

	/* the group of the initial namespace, whatever a namespace calls it */
	snprintf(g, sizeof(g), "%u", NOBODY);
	set_param("group", g);
	assert_int_equal(child_run(as_nobody), 0);
	assert_int_equal(child_run(userns_group_ns), 0);
	assert_int_equal(child_run(userns_gid_zero), 0);

	/* no group: uid 0 of a user namespace has CAP_SYS_ADMIN there only */
	set_param("group", "-1");
	assert_int_equal(child_run(userns_gid_zero), -EPERM);
	assert_int_equal(child_run(userns_group_ns), -EPERM);
	assert_int_equal(child_run(NULL), 0);
}

/*
 * Item 12: the group is a gid_t, any value but (gid_t)-1, which means
 * none (4294967295, or -1 as before). Before the fix the parameter was an
 * int and refused gids above INT_MAX.
 */
static void test_group_above_int_max(void **state)
{
	char g[32];

	(void)state;
	set_param("disabled", "1");
	snprintf(g, sizeof(g), "%u", GID_BIG);
	set_param("group", g);
	assert_string_equal(get_param("group"), g);
	assert_int_equal(child_run(as_gid_big), 0);
	assert_int_equal(child_run(as_nobody_supp_big), 0);
	assert_int_equal(child_run(as_nobody), -EPERM);

	/* none, either way it is written; nobody is anybody's gid */
	set_param("group", "4294967295");
	assert_string_equal(get_param("group"), "4294967295");
	assert_int_equal(child_run(as_gid_big), -EPERM);
	set_param("group", g);
	set_param("group", "-1");
	assert_string_equal(get_param("group"), "4294967295");
	assert_int_equal(child_run(as_gid_big), -EPERM);
	assert_int_equal(child_run(NULL), 0);

	/* not gids: refused, and the value stays */
	assert_true(write_param("group", "4294967296") < 0);
	assert_true(write_param("group", "-2") < 0);
	assert_true(write_param("group", "12ab") < 0);
	assert_string_equal(get_param("group"), "4294967295");
}

/* ---- openat's flags --------------------------------------------------- */

#define D		"/tmp/sc-sem"
#define NAME_LEN	64

/* what one openat left: its answer, the descriptor, the directory */
struct open_obs {
	long ret;
	int fl, fdfl;			/* F_GETFL, F_GETFD */
	mode_t mode;
	nlink_t nlink;
	off_t size;
	uid_t uid;
	gid_t gid;
	char where[NAME_LEN];		/* /proc/self/fd link, inode number cut */
	char tree[1024];		/* D's entries afterwards */
};

static const char *const targets[] = {
	"dir", "file", "new", "link", "dlink", "dangling", "rofile",
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

/*
 * Flags that change what openat does, or are dropped on the way: the last
 * three are no flag, and FMODE_NONOTIFY's bit in 6.1 and in 6.12.
 */
static const int extras[] = {
	0, O_CLOEXEC, O_NONBLOCK, O_NOATIME, O_DIRECT, O_SYNC, O_DSYNC,
	FASYNC, O_NOCTTY, K_O_LARGEFILE, 1 << 30, 0x4000000, 0x2000000,
};
#define NEXTRAS (sizeof(extras) / sizeof(extras[0]))

/* the flags whose every combination, with each access mode, is tried */
static const int core_bits[] = { O_CREAT, O_DIRECTORY, K_O_TMPFILE, O_PATH };
#define NCORE (1u << (sizeof(core_bits) / sizeof(core_bits[0]) + 2))

/* ... each with these */
static const int modifiers[] = {
	0, O_EXCL, O_TRUNC, O_NOFOLLOW, O_APPEND,
	O_EXCL | O_TRUNC | O_NOFOLLOW | O_APPEND,
};
#define NMOD (sizeof(modifiers) / sizeof(modifiers[0]))
#define NGRID (NCORE * NMOD)

static int grid_flags(unsigned int combo, unsigned int target)
{
	const unsigned int core = combo / NMOD;
	int flags = core & O_ACCMODE;
	unsigned int b;

	for (b = 0; b < sizeof(core_bits) / sizeof(core_bits[0]); b++)
		if (core & (4u << b))
			flags |= core_bits[b];
	return flags | modifiers[combo % NMOD] |
	       extras[(combo + target) % NEXTRAS];
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* Empty D but for rofile (root's, made once), then lay out the targets */
static int reset_tree(void)
{
	struct dirent **names;
	char p[sizeof(D) + 256];
	int i, n, fd, bad = 0;

	n = scandir(D, &names, not_dots, alphasort);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, "rofile")) {
			snprintf(p, sizeof(p), D "/%s", names[i]->d_name);
			if (unlink(p) && rmdir(p))
				bad = -1;
		}
		free(names[i]);
	}
	free(names);
	if (!geteuid()) {	/* the syscall's O_TRUNC may have emptied it */
		fd = open(D "/rofile", O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0 || write(fd, "root\n", 5) != 5)
			bad = -1;
		if (fd >= 0)
			close(fd);
	}
	fd = open(D "/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "hello\n", 6) != 6)
		bad = -1;
	if (fd >= 0)
		close(fd);
	if (mkdir(D "/dir", 0755) || symlink("file", D "/link") ||
	    symlink("dir", D "/dlink") || symlink("missing", D "/dangling"))
		bad = -1;
	return bad;
}

static void describe_tree(char *out, size_t len)
{
	struct dirent **names;
	size_t used = 0;
	int i, n;

	out[0] = 0;
	n = scandir(D, &names, not_dots, alphasort);
	for (i = 0; i < n; i++) {
		char p[sizeof(D) + 256], l[NAME_LEN] = "";
		struct stat st;

		snprintf(p, sizeof(p), D "/%s", names[i]->d_name);
		if (lstat(p, &st))
			memset(&st, 0, sizeof(st));
		if (S_ISLNK(st.st_mode) && readlink(p, l, sizeof(l) - 1) < 0)
			strcpy(l, "?");
		if (used < len)
			used += snprintf(out + used, len - used,
					 "%s:%o:%lld:%lu:%u:%u%s%s ",
					 names[i]->d_name, st.st_mode,
					 (long long)st.st_size,
					 (unsigned long)st.st_nlink, st.st_uid,
					 st.st_gid, l[0] ? "->" : "", l);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* The chain's openat alone: its result, or LONG_MIN if the chain did not run */
static long chain_openat(const char *path, int flags, mode_t mode)
{
	struct g_chain c;

	g_init(&c);
	g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)path, (uint32_t)flags, mode);
	if (g_run(&c, 0) || c.run.status != SYSCHAIN_STATUS_COMPLETED ||
	    c.res[0].count != 1)
		return LONG_MIN;
	return c.res[0].ret;
}

static void observe(struct open_obs *o, long ret)
{
	char link[64];
	struct stat st;
	ssize_t n;

	memset(o, 0, sizeof(*o));
	o->ret = ret;
	if (ret >= 0 && ret <= INT_MAX) {
		int fd = (int)ret;

		o->ret = 0;	/* which number is free is no difference */
		o->fl = fcntl(fd, F_GETFL);
		o->fdfl = fcntl(fd, F_GETFD);
		if (!fstat(fd, &st)) {
			o->mode = st.st_mode;
			o->nlink = st.st_nlink;
			o->size = st.st_size;
			o->uid = st.st_uid;
			o->gid = st.st_gid;
		}
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, o->where, sizeof(o->where) - 1);
		o->where[n < 0 ? 0 : n] = 0;
		o->where[strcspn(o->where, "#")] = 0;	/* O_TMPFILE's inode */
		close(fd);
	}
	describe_tree(o->tree, sizeof(o->tree));
}

static const char *obs_differs(const struct open_obs *a,
			       const struct open_obs *b)
{
	if (a->ret != b->ret)
		return "result";
	if (a->fl != b->fl)
		return "F_GETFL";
	if (a->fdfl != b->fdfl)
		return "F_GETFD";
	if (a->mode != b->mode || a->nlink != b->nlink || a->size != b->size ||
	    a->uid != b->uid || a->gid != b->gid)
		return "fstat";
	if (strcmp(a->where, b->where))
		return "path";
	if (strcmp(a->tree, b->tree))
		return "files left";
	return NULL;
}

struct open_counts {
	unsigned int cases, opened, opath, tmpfile, refused[4], differ;
};

/*
 * The tree as reset_tree() lays it out, and as the last openat left it:
 * most calls change nothing, and need no new tree.
 */
static char pristine[1024], last_tree[1024];

static int fresh_tree(void)
{
	if (pristine[0] && !strcmp(last_tree, pristine))
		return 0;
	if (reset_tree())
		return -1;
	describe_tree(last_tree, sizeof(last_tree));
	if (!pristine[0])
		memcpy(pristine, last_tree, sizeof(pristine));
	return strcmp(last_tree, pristine) ? -1 : 0;
}

/*
 * openat(D/@target, @flags) as a syscall and through the chain, each on a
 * fresh tree: 0 if both did the same (counted in @cnt), else 1 (printed).
 */
static int open_same(const char *target, int flags, struct open_counts *cnt)
{
	/* mode bits outside S_IALLUGO too, and the file type's */
	const mode_t mode = 0177777;
	struct open_obs s, c;
	char path[NAME_LEN + 16];
	const char *what;

	snprintf(path, sizeof(path), D "/%s", target);
	if (fresh_tree())
		return 1;
	observe(&s, g_sys(__NR_openat, AT_FDCWD, (uintptr_t)path,
			  (uint32_t)flags, mode, 0, 0));
	memcpy(last_tree, s.tree, sizeof(last_tree));
	if (fresh_tree())
		return 1;
	observe(&c, chain_openat(path, flags, mode));
	memcpy(last_tree, c.tree, sizeof(last_tree));
	cnt->cases++;
	what = obs_differs(&c, &s);
	if (what && ++cnt->differ > 12)
		return 1;	/* the first dozen tell */
	if (what) {
		printf("openat(%s, %#o): %s differs: syscall %ld fl %#o fd %d "
		       "mode %o nlink %lu size %lld at '%s', tree %s; chain %ld "
		       "fl %#o fd %d mode %o nlink %lu size %lld at '%s', tree %s\n",
		       path, flags, what, s.ret, s.fl, s.fdfl, s.mode,
		       (unsigned long)s.nlink, (long long)s.size, s.where,
		       s.tree, c.ret, c.fl, c.fdfl, c.mode,
		       (unsigned long)c.nlink, (long long)c.size, c.where,
		       c.tree);
		return 1;
	}
	if (!s.ret) {
		cnt->opened++;
		if (s.fl & O_PATH)
			cnt->opath++;
		if (S_ISREG(s.mode) && !s.nlink)
			cnt->tmpfile++;
	} else {
		cnt->refused[s.ret == -EINVAL ? 0 : s.ret == -EACCES ||
			     s.ret == -EPERM ? 1 : s.ret == -ENOENT ? 2 : 3]++;
	}
	return 0;
}

/* every combination on every target; the number that differ */
static int open_grid(struct open_counts *cnt)
{
	unsigned int combo, t;
	int bad = 0;

	memset(cnt, 0, sizeof(*cnt));
	pristine[0] = 0;
	umask(022);
	for (combo = 0; combo < NGRID; combo++)
		for (t = 0; t < NTARGETS; t++)
			bad += open_same(targets[t], grid_flags(combo, t), cnt);
	printf("openat grid as uid %d: %u cases, %u opened (%u O_PATH, %u "
	       "O_TMPFILE), refused: %u EINVAL, %u EACCES/EPERM, %u ENOENT, "
	       "%u other; %d differ\n", (int)geteuid(), cnt->cases,
	       cnt->opened, cnt->opath, cnt->tmpfile, cnt->refused[0],
	       cnt->refused[1], cnt->refused[2], cnt->refused[3], bad);
	fflush(stdout);
	return bad;
}

static void fresh_dir(void)
{
	int fd;

	assert_int_equal(system("rm -rf " D), 0);
	assert_int_equal(mkdir(D, 0755), 0);
	assert_int_equal(chmod(D, 01777), 0);
	fd = open(D "/rofile", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "root\n", 5), 5);
	close(fd);
}

/*
 * Item 5: the calls the review found refused with -EINVAL, on /tmp: the
 * syscall opens each (O_PATH drops O_CREAT, and O_TMPFILE's O_DIRECTORY
 * survives; access mode 3 counts as a write), and so must the chain.
 */
static void test_openat_review_cases(void **state)
{
	static const struct {
		int flags;
		bool path, tmpfile;
	} cases[] = {
		{ O_PATH | O_DIRECTORY | O_CREAT, true, false },
		{ O_PATH | O_TMPFILE, true, false },
		{ O_TMPFILE | 3, false, true },
		{ O_TMPFILE | O_RDWR, false, true },
		{ O_PATH | O_CREAT | O_EXCL | O_TRUNC | O_RDWR, true, false },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct open_obs s, c;
		const char *what;
		long rs, rc;

		rs = g_sys(__NR_openat, AT_FDCWD, (uintptr_t)"/tmp",
			   (uint32_t)cases[i].flags, 0600, 0, 0);
		if (rs < 0)
			fail_msg("openat(/tmp, %#o): the syscall gave %ld",
				 cases[i].flags, rs);
		observe(&s, rs);
		rc = chain_openat("/tmp", cases[i].flags, 0600);
		if (rc < 0)
			fail_msg("openat(/tmp, %#o): the syscall opened, the chain gave %ld",
				 cases[i].flags, rc);
		observe(&c, rc);
		what = obs_differs(&c, &s);
		if (what)
			fail_msg("openat(/tmp, %#o): %s differs", cases[i].flags,
				 what);
		assert_int_equal(!!(s.fl & O_PATH), cases[i].path);
		assert_int_equal(S_ISREG(s.mode) && !s.nlink, cases[i].tmpfile);
		assert_int_equal(S_ISDIR(s.mode), !cases[i].tmpfile);
	}
}

/* Item 5, every combination: as root, then as nobody (a child). */
static void test_openat_flag_grid(void **state)
{
	struct open_counts cnt;
	int status;
	pid_t pid;

	(void)state;
	fresh_dir();
	assert_int_equal(open_grid(&cnt), 0);
	assert_true(cnt.opath > 0 && cnt.tmpfile > 0 && cnt.refused[0] > 0);
	assert_int_equal(cnt.cases, NGRID * NTARGETS);

	fresh_dir();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (as_nobody())
			guest_child_exit(200);
		status = open_grid(&cnt);
		guest_child_exit(status > 199 ? 199 :
				 !cnt.opath || !cnt.tmpfile || !cnt.refused[1] ?
				 201 : status);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(system("rm -rf " D), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_is_init_ns_gid,
						save_params, restore_params),
		cmocka_unit_test_setup_teardown(test_group_above_int_max,
						save_params, restore_params),
		cmocka_unit_test(test_openat_review_cases),
		cmocka_unit_test(test_openat_flag_grid),
	};

	return cmocka_run_group_tests_name("syschain-semantics", tests, NULL,
					   NULL);
}
