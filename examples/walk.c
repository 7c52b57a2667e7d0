// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * walk: the apparent size of each tree given (default "."), in bytes, as
 * "du -sb" prints it: every entry's size (directories, files, symlinks),
 * a file with several links once.
 *
 * With more than one tree, as du does, an entry met before (a tree
 * inside another, a directory or file linked twice) is counted once, and
 * a tree met before is not printed again.
 *
 * A tree walker in chains. Each directory is opened relative to its
 * parent's descriptor (openat(dirfd, name), never a path rebuilt from the
 * top), and costs two runs: the first opens it and reads its entries
 * (getdents64), the second takes the size of every entry (newfstatat
 * relative to the directory, not following symlinks), reads on and, at
 * the end of the directory, closes it, unless it has subdirectories to
 * walk with it first. With the kernel backend a directory is two
 * user/kernel crossings, however many entries it has (up to BATCH a
 * run), and the walk makes no syscall of its own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libchain.h>

#define DENTS_SIZE (64 * 1024)	/* getdents64 buffer */
#define BATCH 1024		/* newfstatat ops a run: under max_ops */

static struct chain *c;
static int status;

static void warn(const char *path, const char *what, int64_t err)
{
	fprintf(stderr, "walk: %s: %s: %s\n", path, what, strerror((int)-err));
	status = 1;
}

/*
 * (dev, ino) of the files seen with more than one link, and with more
 * than one tree to walk (hash_all) of every entry: counted once
 */
static bool hash_all;
static struct seen {
	dev_t dev;
	ino_t ino;
} *seen;
static size_t nseen, capseen;

static bool first_time(const struct stat *st)
{
	size_t h, i;

	if (!hash_all && (S_ISDIR(st->st_mode) || st->st_nlink < 2))
		return true;
	if (2 * (nseen + 1) > capseen) {
		struct seen *old = seen;
		size_t oldcap = capseen;

		capseen = capseen ? 2 * capseen : 1024;
		seen = calloc(capseen, sizeof(*seen));
		if (!seen) {
			perror("walk");
			exit(1);
		}
		nseen = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i].ino)
				first_time(&(struct stat){ .st_dev = old[i].dev,
					.st_ino = old[i].ino, .st_nlink = 2,
					.st_mode = S_IFREG });
		free(old);
	}
	h = (size_t)(st->st_ino * 0x9e3779b97f4a7c15ULL ^ st->st_dev) % capseen;
	for (;; h = (h + 1) % capseen) {
		if (!seen[h].ino) {
			seen[h] = (struct seen){ st->st_dev, st->st_ino };
			nseen++;
			return true;
		}
		if (seen[h].dev == st->st_dev && seen[h].ino == st->st_ino)
			return false;
	}
}

/* one entry of a directory read: its name and whether to walk into it */
struct entry {
	char *name;
	bool dir;
};

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p = malloc(n + strlen(name) + 2);

	if (!p) {
		perror("walk");
		exit(1);
	}
	sprintf(p, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
	return p;
}

/* Append the entries of a getdents64 buffer, "." and ".." left out. */
static void add_entries(const char *buf, int64_t len, struct entry **e,
			size_t *n, size_t *cap)
{
	int64_t off = 0;

	while (off < len) {
		const struct dirent64 *d = (const void *)(buf + off);

		off += d->d_reclen;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*e = realloc(*e, *cap * sizeof(**e));
			if (!*e) {
				perror("walk");
				exit(1);
			}
		}
		(*e)[*n].name = strdup(d->d_name);
		/* until newfstatat tells: a directory, or may be one */
		(*e)[*n].dir = d->d_type == DT_DIR || d->d_type == DT_UNKNOWN;
		if (!(*e)[*n].name) {
			perror("walk");
			exit(1);
		}
		(*n)++;
	}
}

/* What a getdents64 op returned (@got): its entries; true at the end */
static bool take_entries(const char *path, int64_t got, const char *buf,
			 struct entry **e, size_t *n, size_t *cap)
{
	if (got < 0)
		warn(path, "cannot read directory", got);
	else
		add_entries(buf, got, e, n, cap);
	return got <= 0;
}

static bool has_dirs(const struct entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (e[i].dir)
			return true;
	return false;
}

static int run(void)
{
	int ret = chain_run(c);

	if (ret < 0) {
		fprintf(stderr, "walk: cannot run chain: %s\n", strerror(-ret));
		exit(1);
	}
	return ret;
}

/*
 * The size below directory @name of the directory open as @pfd (@path
 * for messages), the directory's own entry excluded: its entries', and
 * their trees'.
 */
static uint64_t walk_dir(int pfd, const char *name, const char *path)
{
	static char dents[DENTS_SIZE];
	static struct stat st[BATCH];
	struct chain_handle fd, rd, cl, s[BATCH];
	struct entry *e = NULL;
	size_t n = 0, cap = 0, done = 0, i;
	bool eof, closed = false;
	uint64_t total = 0;
	int64_t dfd;

	/* run 1: open relative to the parent, read the first entries */
	chain_reset(c);
	fd = chain_openat(c, pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			  O_CLOEXEC, 0);
	chain_stop_if_failed(c, fd);
	rd = chain_getdents64(c, fd, dents, sizeof(dents));
	chain_ignore_error(c, rd);
	run();
	dfd = chain_ret(c, fd);
	if (dfd < 0) {
		warn(path, "cannot open directory", dfd);
		return 0;
	}
	eof = take_entries(path, chain_ret(c, rd), dents, &e, &n, &cap);

	/*
	 * run 2 and on: the sizes of the entries read so far (up to BATCH),
	 * and the next entries while there are more; the directory is closed
	 * in the last run when no subdirectory needs it.
	 */
	while (done < n || !eof) {
		size_t k = n - done < BATCH ? n - done : BATCH;

		chain_reset(c);
		for (i = 0; i < k; i++) {
			s[i] = chain_newfstatat(c, (int)dfd, e[done + i].name,
						&st[i], AT_SYMLINK_NOFOLLOW);
			chain_ignore_error(c, s[i]);
		}
		cl = chain_handle_of(-1);
		if (!eof) {
			rd = chain_getdents64(c, (int)dfd, dents, sizeof(dents));
			chain_ignore_error(c, rd);
			if (done + k == n && !has_dirs(e, n)) {
				int more = chain_label(c);

				/*
				 * every entry sized, and if this read is
				 * the end, nothing to walk into: close
				 */
				chain_goto_if(c, rd, CHAIN_NE, 0, more);
				cl = chain_close(c, (int)dfd);
				chain_label_here(c, more);
			}
		}
		run();
		closed = cl.op >= 0 && chain_count(c, cl);
		for (i = 0; i < k; i++) {
			int64_t r = chain_ret(c, s[i]);
			struct entry *x = &e[done + i];

			if (r < 0) {
				char *p = join(path, x->name);

				warn(p, "cannot stat", r);
				free(p);
				continue;
			}
			x->dir = false;
			if (!first_time(&st[i]))
				continue;	/* nor walked into again */
			total += (uint64_t)st[i].st_size;
			x->dir = S_ISDIR(st[i].st_mode);
		}
		done += k;
		if (!eof)
			eof = take_entries(path, chain_ret(c, rd), dents, &e,
					   &n, &cap);
	}

	for (i = 0; i < n; i++) {
		if (e[i].dir) {
			char *p = join(path, e[i].name);

			total += walk_dir((int)dfd, e[i].name, p);
			free(p);
		}
		free(e[i].name);
	}
	free(e);
	if (!closed)
		close((int)dfd);
	return total;
}

int main(int argc, char **argv)
{
	int i, ret;

	ret = chain_new(&c);
	if (ret < 0) {
		fprintf(stderr, "walk: chain_new: %s\n", strerror(-ret));
		return 1;
	}
	hash_all = argc > 2;
	for (i = 1; i < argc || (argc < 2 && i == 1); i++) {
		const char *path = argc < 2 ? "." : argv[i];
		struct chain_handle s;
		struct stat st;
		uint64_t total;

		/* the top: its own entry, and a tree below it if a directory */
		chain_reset(c);
		s = chain_newfstatat(c, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
		run();
		if (chain_ret(c, s) < 0) {
			warn(path, "cannot access", chain_ret(c, s));
			continue;
		}
		if (!first_time(&st))
			continue;	/* in a tree already walked */
		total = (uint64_t)st.st_size;
		if (S_ISDIR(st.st_mode))
			total += walk_dir(AT_FDCWD, path, path);
		printf("%" PRIu64 "\t%s\n", total, path);
	}
	chain_free(c);
	free(seen);
	if (fflush(stdout) || ferror(stdout)) {
		perror("walk: stdout");
		return 1;
	}
	return status;
}
