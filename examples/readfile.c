// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * readfile: read whole files into memory and write them to stdout.
 *
 * Per file, one chain opens it and fstats it for its size, then a second
 * chain reads it with pread64 and closes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libchain.h>

static int fail(const char *path, const char *what, int64_t err)
{
	fprintf(stderr, "readfile: %s: %s: %s\n", path, what,
		strerror((int)-err));
	return 1;
}

/* Write all of buf to stdout. */
static int put(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(1, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int readfile(const char *path)
{
	struct chain *c;
	struct chain_handle o, st_op, rd, cl;
	int ret, status = 1;
	struct stat st;
	char *buf = NULL;
	int64_t fd, size, done = 0;

	ret = chain_new(&c);
	if (ret < 0)
		return fail(path, "chain_new", ret);

	/* 1: open, fstat */
	o = chain_openat(c, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	st_op = chain_fstat(c, o, &st);
	ret = chain_run(c);
	if (ret < 0) {
		fail(path, "chain_run", ret);
		goto out;
	}
	fd = chain_ret(c, o);
	if (fd < 0) {
		fail(path, "open", fd);
		goto out;
	}
	if (chain_ret(c, st_op) < 0) {
		fail(path, "fstat", chain_ret(c, st_op));
		goto out_close;
	}
	size = st.st_size;
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		fail(path, "malloc", -ENOMEM);
		goto out_close;
	}

	/*
	 * 2: read it all, then close. A short read (the file shrank, or a
	 * signal) stops the chain before the close; the rest is read by the
	 * same chain rebuilt for the remaining range.
	 */
	for (;;) {
		chain_reset(c);
		rd = chain_pread64(c, fd, buf + done, size - done, done);
		chain_stop_if(c, rd, CHAIN_NE, size - done);
		cl = chain_close(c, fd);
		ret = chain_run(c);
		if (ret < 0) {
			fail(path, "chain_run", ret);
			goto out_close;
		}
		if (chain_ret(c, rd) < 0) {
			fail(path, "pread64", chain_ret(c, rd));
			goto out_close;
		}
		done += chain_ret(c, rd);
		if (chain_ret(c, rd) == 0 || chain_count(c, cl))
			break;		/* end of file, or all read and closed */
	}
	if (chain_count(c, cl)) {
		if (chain_ret(c, cl) < 0) {
			fail(path, "close", chain_ret(c, cl));
			goto out;
		}
	} else if (close((int)fd) < 0) {
		fail(path, "close", -errno);
		goto out;
	}
	if (put(buf, (size_t)done) < 0) {
		fail("stdout", "write", -errno);
		goto out;
	}
	status = 0;
	goto out;

out_close:
	close((int)fd);
out:
	free(buf);
	chain_free(c);
	return status;
}

int main(int argc, char **argv)
{
	int i, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: readfile FILE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		status |= readfile(argv[i]);
	return status;
}
