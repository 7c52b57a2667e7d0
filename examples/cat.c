// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * cat: copy files to stdout, each with one run of one chain: open, then a
 * read/write loop that runs inside the chain until end of file, then
 * close, as the chain's cleanup (chain_finally(3)): whatever stops the
 * loop, the file is closed in the same run. With the kernel backend that
 * is one user/kernel crossing per file.
 *
 * The chain is built once; each file changes only the path
 * (chain_set_arg(3)), so libchain registers the chain with the module and
 * reruns it. Its buffer is a kernel buffer (chain_register_buffers(3),
 * CHAIN_BUF_KERNEL): the bytes go from the file to stdout without being
 * copied to this program's memory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libchain.h>

#define BLOCK (64 * 1024)

static char buf[BLOCK];

/* The chain for @path; chain_set_arg(c, *open, 1, path) for the next. */
static int build(struct chain *c, const char *path, struct chain_handle *open)
{
	struct iovec iov = { buf, sizeof(buf) };
	struct chain_handle fd, rd, wr;
	int done;

	/*
	 * A handle passed as an argument is that op's result: the read takes
	 * the descriptor openat returned, the write as many bytes as the
	 * read returned. Building calls are not checked one by one: a failed
	 * one makes chain_run() fail with its errno.
	 */
	chain_register_buffers(c, &iov, 1, CHAIN_BUF_KERNEL);
	done = chain_label(c);
	fd = chain_openat(c, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	rd = chain_read(c, fd, buf, sizeof(buf));
	chain_fixed(c, rd);
	chain_goto_if(c, rd, CHAIN_EQ, 0, done);	/* end of file */
	wr = chain_write(c, 1, buf, rd);
	chain_fixed(c, wr);
	chain_stop_if(c, wr, CHAIN_NE, rd);		/* short write */
	chain_jump_if(c, wr, CHAIN_ALWAYS, 0, rd);	/* next block */
	chain_label_here(c, done);
	/* the close is the chain's cleanup: it runs however the body ends */
	chain_finally(c);
	chain_close(c, fd);
	*open = fd;
	return chain_build_error(c, NULL);
}

static int cat_one(struct chain *c, const char *path)
{
	int ret = chain_run(c);

	if (ret < 0) {
		fprintf(stderr, "cat: %s: cannot run chain: %s\n", path,
			strerror(-ret));
		return 1;
	}
	if (chain_report(c)->status != SYSCHAIN_STATUS_COMPLETED) {
		int op = chain_report(c)->stop_op;

		fprintf(stderr, "cat: %s: %s at op %d: %s\n", path,
			chain_status_str(chain_report(c)->status), op,
			op >= 0 && chain_ret(c, op) < 0 ?
			strerror((int)-chain_ret(c, op)) : "short write");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct chain_handle open;
	struct chain *c;
	int i, ret, status = 0;

	if (argc < 2)
		return 0;
	if (chain_new(&c) < 0)
		return 1;
	ret = build(c, argv[1], &open);
	if (ret < 0) {
		fprintf(stderr, "cat: cannot build chain: %s\n", strerror(-ret));
		chain_free(c);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		chain_set_arg(c, open, 1, argv[i]);
		status |= cat_one(c, argv[i]);
	}
	chain_free(c);
	return status;
}
