// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * wl_net.c: the socket workload family. echo: sendto + recvfrom of 64
 * bytes on an AF_UNIX stream socketpair.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include "bench.h"

static int echo_loop(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		run_ret[2 * i] = sendto(sock[0], echo_msg, ECHO_SIZE, 0, NULL, 0);
		if (run_ret[2 * i] != ECHO_SIZE)
			return -1;
		run_ret[2 * i + 1] = recvfrom(sock[1], buf_small, ECHO_SIZE, 0,
					      NULL, NULL);
		if (run_ret[2 * i + 1] != ECHO_SIZE)
			return -1;
	}
	return 0;
}

static int echo_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (chain_syscall(c, __NR_sendto, sock[0], echo_msg, ECHO_SIZE,
				  0, 0, 0).op < 0)
			return -1;
		if (chain_syscall(c, __NR_recvfrom, sock[1], buf_small,
				  ECHO_SIZE, 0, 0, 0).op < 0)
			return -1;
	}
	return 0;
}

static int echo_uring(int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_send(sqe, FIX_S0, echo_msg, ECHO_SIZE, 0);
		sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = ECHO_SIZE;
		sqe = sqe_get();
		io_uring_prep_recv(sqe, FIX_S1, buf_small, ECHO_SIZE, 0);
		sqe->flags |= IOSQE_FIXED_FILE | (i < n - 1 ? IOSQE_IO_LINK : 0);
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = ECHO_SIZE;
	}
	return uring_run((unsigned int)k, expect_buf);
}

const struct workload wl_echo = {
	.name = "echo",
	.what = "N x (sendto + recvfrom) of 64 bytes on an AF_UNIX socketpair",
	.nrs = { __NR_sendto, __NR_recvfrom },
	.nnrs = 2,
	.ops_per_item = 2,
	.uring_note = "IORING_OP_SEND + IORING_OP_RECV on registered sockets, linked",
	.loop = echo_loop,
	.build = echo_build,
	.uring = echo_uring,
};
