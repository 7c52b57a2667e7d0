// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * pkg-chain: a program built against the installed libchain-dev package
 * with pkg-config only (tests/fresh/run.sh), run in the guest on the module
 * that the syschain-dkms package built. It runs one chain through the
 * kernel backend (no fallback) and checks every result against the plain
 * syscalls:
 *
 *	openat(file) -> read(fd, buf, 64) -> write(pipe, buf, res(read))
 *	-> close(fd) -> getpid()
 *
 * Ends with "pkg-chain: N passed, M failed", exit status 0 only when all
 * checks passed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libchain.h>

static int passed, failed;

static void check(int ok, const char *what, long long got, long long want)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("pkg-chain: FAIL %s: got %lld, want %lld\n", what, got, want);
}

int main(void)
{
	static const char text[] = "through the packaged module\n";
	const char *path = "/tmp/pkg-chain.txt";
	char buf[64] = "", piped[64] = "";
	const struct chain_report *rep;
	struct chain_handle o, r, w, cl, pid;
	int p[2], ret;
	struct chain *c;
	FILE *f;

	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || pipe(p)) {
		perror("pkg-chain: setup");
		return 1;
	}
	ret = chain_new(&c);
	check(ret == 0, "chain_new", ret, 0);
	if (ret)
		return 1;
	ret = chain_set_backend(c, CHAIN_BACKEND_KERNEL);
	check(ret == 0, "chain_set_backend(KERNEL)", ret, 0);

	o = chain_openat(c, AT_FDCWD, path, O_RDONLY, 0);
	r = chain_read(c, o, buf, sizeof(buf));	/* o: the descriptor */
	w = chain_write(c, p[1], buf, r);	/* r: the bytes read */
	cl = chain_close(c, o);
	pid = chain_getpid(c);
	ret = chain_run(c);
	check(ret == 0, "chain_run", ret, 0);

	rep = chain_report(c);
	check(rep->backend == CHAIN_BACKEND_KERNEL, "backend", rep->backend,
	      CHAIN_BACKEND_KERNEL);
	check(rep->status == SYSCHAIN_STATUS_COMPLETED, "status", rep->status,
	      SYSCHAIN_STATUS_COMPLETED);
	check(chain_ret(c, o) >= 0, "openat", chain_ret(c, o), 0);
	check(chain_ret(c, r) == (long long)strlen(text), "read",
	      chain_ret(c, r), (long long)strlen(text));
	check(chain_ret(c, w) == (long long)strlen(text), "write",
	      chain_ret(c, w), (long long)strlen(text));
	check(chain_ret(c, cl) == 0, "close", chain_ret(c, cl), 0);
	check(chain_ret(c, pid) == getpid(), "getpid", chain_ret(c, pid),
	      getpid());
	check(read(p[0], piped, sizeof(piped)) == (ssize_t)strlen(text) &&
	      !strcmp(piped, text), "pipe contents", 0, 0);
	/* The chain's close closed the descriptor its openat returned. */
	check(fcntl((int)chain_ret(c, o), F_GETFD) == -1, "fd closed by chain",
	      0, 0);
	chain_free(c);

	printf("pkg-chain: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
