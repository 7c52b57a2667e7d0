// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * echo: send messages through an echo server over a socketpair and print
 * what comes back. The messages are the arguments joined by spaces (one
 * message), or else the lines of stdin (one message each).
 *
 * The server is a child process whose whole life is one chain: read a
 * message, write it back, loop; end of file ends the chain. The client
 * sends and receives each message with one chain: write it, read the
 * reply, write the reply to stdout.
 *
 * sendto/recvfrom are not syschain ops yet: until they land, the chains
 * use write/read on the sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <libchain.h>

#define MSG_MAX 4096

static int serve(int sock)
{
	static char buf[MSG_MAX];
	struct chain *c;
	struct chain_handle rd, wr;
	int done, ret;

	ret = chain_new(&c);
	if (ret < 0)
		return 1;
	done = chain_label(c);
	rd = chain_read(c, sock, buf, sizeof(buf));
	chain_goto_if(c, rd, CHAIN_EQ, 0, done);	/* client closed */
	wr = chain_write(c, sock, buf, rd);		/* what rd read */
	chain_stop_if(c, wr, CHAIN_NE, rd);		/* short write */
	chain_jump_if(c, wr, CHAIN_ALWAYS, 0, rd);
	chain_label_here(c, done);
	/* the loop may outlast the step budget: then just run it again */
	do {
		ret = chain_run(c);
	} while (!ret && chain_report(c)->status == SYSCHAIN_STATUS_BUDGET);
	if (ret < 0 || chain_report(c)->status != SYSCHAIN_STATUS_COMPLETED) {
		int op = chain_report(c)->stop_op;

		fprintf(stderr, "echo: server: %s at op %d: %s\n",
			ret < 0 ? "cannot run chain" :
			chain_status_str(chain_report(c)->status), op,
			strerror(ret < 0 ? -ret : op >= 0 && chain_ret(c, op) < 0 ?
				 (int)-chain_ret(c, op) : EIO));
		ret = 1;
	}
	chain_free(c);
	return ret ? 1 : 0;
}

/* One round trip: send msg, print the reply; 0 or 1. */
static int round_trip(struct chain *c, int sock, const char *msg, size_t len)
{
	static char reply[MSG_MAX];
	struct chain_handle wr, rd, out;
	size_t got;
	int ret;

	chain_reset(c);
	wr = chain_write(c, sock, msg, len);
	chain_stop_if(c, wr, CHAIN_NE, len);
	rd = chain_read(c, sock, reply, len);
	chain_stop_if(c, rd, CHAIN_LE, 0);
	out = chain_write(c, 1, reply, rd);
	ret = chain_run(c);
	if (ret < 0) {
		fprintf(stderr, "echo: cannot run chain: %s\n", strerror(-ret));
		return 1;
	}
	if (chain_report(c)->status != SYSCHAIN_STATUS_COMPLETED) {
		int op = chain_report(c)->stop_op;
		int64_t r = chain_ret(c, op);

		fprintf(stderr, "echo: %s failed: %s\n",
			op == wr.op ? "send" : "receive",
			r < 0 ? strerror((int)-r) : r == 0 ?
			"connection closed" : "short write");
		return 1;
	}
	if (chain_ret(c, out) != chain_ret(c, rd)) {
		fprintf(stderr, "echo: stdout: %s\n", chain_ret(c, out) < 0 ?
			strerror((int)-chain_ret(c, out)) : "short write");
		return 1;
	}
	/* a stream may deliver the reply in pieces: fetch the rest */
	for (got = (size_t)chain_ret(c, rd); got < len;) {
		ssize_t n = read(sock, reply, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write(1, reply, (size_t)n) != n) {
			fprintf(stderr, "echo: receive failed\n");
			return 1;
		}
		got += (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct chain *c;
	int sv[2], st, i, ret = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("echo: socketpair");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("echo: fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		_exit(serve(sv[1]));
	}
	close(sv[1]);
	if (chain_new(&c) < 0)
		return 1;

	if (argc > 1) {
		size_t n = 0;

		for (i = 1; i < argc; i++)
			n += strlen(argv[i]) + 1;
		line = malloc(n + 1);
		if (!line)
			return 1;
		line[0] = '\0';
		for (i = 1; i < argc; i++) {
			strcat(line, argv[i]);
			strcat(line, i + 1 < argc ? " " : "\n");
		}
		if (n > MSG_MAX) {
			fprintf(stderr, "echo: message longer than %d bytes\n",
				MSG_MAX);
			ret = 1;
		} else {
			ret = round_trip(c, sv[0], line, n);
		}
	} else {
		while (!ret && (len = getline(&line, &cap, stdin)) > 0) {
			size_t off;

			for (off = 0; !ret && off < (size_t)len; off += MSG_MAX)
				ret = round_trip(c, sv[0], line + off,
						 (size_t)len - off > MSG_MAX ?
						 MSG_MAX : (size_t)len - off);
		}
	}
	free(line);
	chain_free(c);
	close(sv[0]);		/* the server sees end of file and exits */
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		ret = 1;
	return ret;
}
