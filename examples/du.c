// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * du: print the apparent size in bytes (like du -b) of each directory
 * under the given paths (default "."), deepest first, then the total.
 *
 * Directories are listed with opendir/readdir. The sizes of the regular
 * files of one directory are taken by one chain, in batches of up to
 * BATCH files: one newfstatat (not following symlinks) per file. A file
 * that cannot be stat'ed is reported and makes the exit status 1; the
 * chain goes on with the next one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libchain.h>

#define BATCH 1024	/* files per chain, one op each: under max_ops */

static struct chain *c;
static int status;

static void warn(const char *path, int err)
{
	fprintf(stderr, "du: %s: %s\n", path, strerror(err));
	status = 1;
}

/* Sum the sizes of paths[0..n) with one chain: one newfstatat per file. */
static uint64_t size_batch(char **paths, int n)
{
	static struct stat st[BATCH];
	struct chain_handle op[BATCH];
	uint64_t sum = 0;
	int i, ret;

	chain_reset(c);
	for (i = 0; i < n; i++) {
		op[i] = chain_newfstatat(c, AT_FDCWD, paths[i], &st[i],
					 AT_SYMLINK_NOFOLLOW);
		/* a file that vanished or cannot be reached: go on */
		chain_ignore_error(c, op[i]);
	}
	ret = chain_run(c);
	if (ret < 0) {
		/* the backend cannot run chains at all */
		fprintf(stderr, "du: cannot run chain: %s\n", strerror(-ret));
		exit(1);
	}
	for (i = 0; i < n; i++) {
		int64_t r = chain_ret(c, op[i]);

		if (r < 0)
			warn(paths[i], (int)-r);
		else
			sum += (uint64_t)st[i].st_size;
	}
	return sum;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p = malloc(n + strlen(name) + 2);

	if (p)
		sprintf(p, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
			name);
	return p;
}

/* Entry type without following links; DT_UNKNOWN asks lstat. */
static int entry_type(const char *path, const struct dirent *d)
{
	struct stat st;

	if (d->d_type != DT_UNKNOWN)
		return d->d_type;
	if (lstat(path, &st) < 0)
		return DT_UNKNOWN;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ?
	       DT_REG : DT_UNKNOWN;
}

/* Size of the tree at dir, printing each directory's total. */
static uint64_t du_dir(const char *dir)
{
	char *files[BATCH];
	uint64_t total = 0;
	struct dirent *d;
	int n = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp) {
		warn(dir, errno);
		return 0;
	}
	while ((errno = 0, d = readdir(dp))) {
		char *p;
		int type;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		p = join(dir, d->d_name);
		if (!p) {
			warn(dir, ENOMEM);
			break;
		}
		type = entry_type(p, d);
		if (type == DT_DIR) {
			total += du_dir(p);
			free(p);
		} else if (type == DT_REG) {
			files[n++] = p;
			if (n == BATCH) {
				total += size_batch(files, n);
				while (n)
					free(files[--n]);
			}
		} else {
			free(p);
		}
	}
	if (errno)
		warn(dir, errno);
	closedir(dp);
	if (n)
		total += size_batch(files, n);
	while (n)
		free(files[--n]);
	printf("%" PRIu64 "\t%s\n", total, dir);
	return total;
}

int main(int argc, char **argv)
{
	const char *dot = ".";
	uint64_t total = 0;
	int i, ret;

	ret = chain_new(&c);
	if (ret < 0) {
		fprintf(stderr, "du: chain_new: %s\n", strerror(-ret));
		return 1;
	}
	/* a failed open is handled by a jump; other errors stop the chain */
	for (i = 1; i < argc || (argc < 2 && i == 1); i++) {
		const char *path = argc < 2 ? dot : argv[i];
		struct stat st;

		if (lstat(path, &st) < 0) {
			warn(path, errno);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			total += du_dir(path);
		} else {
			char *p = strdup(path);
			uint64_t s = 0;

			if (!p) {
				warn(path, ENOMEM);
				continue;
			}
			if (S_ISREG(st.st_mode))
				s = size_batch(&p, 1);
			free(p);
			printf("%" PRIu64 "\t%s\n", s, path);
			total += s;
		}
	}
	printf("%" PRIu64 "\ttotal\n", total);
	chain_free(c);
	if (fflush(stdout) || ferror(stdout)) {
		perror("du: stdout");
		return 1;
	}
	return status;
}
