// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * uring.c: syschain-bench's io_uring: the ring (SINGLE_ISSUER|DEFER_TASKRUN,
 * else COOP_TASKRUN, else none), its registered files and buffer, and one
 * linked submission with every completion reaped and checked.
 */
#include <errno.h>
#include <string.h>
#include "bench.h"

struct io_uring ring;
bool ring_ok;
unsigned int ring_flags;
char ring_err[128];
char uring_fail[160];
unsigned int uring_reg = URING_FILES | URING_BUFS;

unsigned int uring_reg_of(int m)
{
	return m == M_URING ? URING_FILES | URING_BUFS :
	       m == M_URING_NOBUF ? URING_FILES : 0;
}

const char *uring_note(const struct workload *w, int m)
{
	return m == M_URING ? w->uring_note :
	       m == M_URING_NOBUF ? "as uring, the buffers not registered" :
	       "as uring, neither files nor buffers registered";
}
int expect_buf[4 * MAXN + 16];
int64_t run_ret[MAXOPS + 16];

void uring_init(void)
{
	static const unsigned int tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN,
		0,
	};
	struct iovec iov = { buf_small, COPY_BLOCK };
	unsigned int i;
	int ret = -ENOSYS;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = tries[i];
		ret = io_uring_queue_init_params(4 * MAXN, &ring, &p);
		if (!ret) {
			ring_flags = tries[i];
			break;
		}
	}
	if (ret) {
		snprintf(ring_err, sizeof(ring_err), "io_uring_queue_init: %s",
			 strerror(-ret));
		return;
	}
	ret = io_uring_register_files_sparse(&ring, NFIXED);
	if (!ret) {
		int fds[] = { fd_zero, fd_big, sock[0], sock[1] };

		ret = io_uring_register_files_update(&ring, 0, fds, 4);
		ret = ret == 4 ? 0 : ret < 0 ? ret : -EIO;
	}
	if (!ret)
		ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret) {
		snprintf(ring_err, sizeof(ring_err), "io_uring register: %s",
			 strerror(-ret));
		io_uring_queue_exit(&ring);
		return;
	}
	ring_ok = true;
}

struct io_uring_sqe *sqe_get(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe)
		die("io_uring: SQ ring full");
	return sqe;
}

int uring_run(unsigned int nsqe, const int *expected)
{
	struct io_uring_cqe *cqe;
	unsigned int seen = 0, head;
	int ret, err = 0;

	ret = io_uring_submit_and_wait(&ring, nsqe);
	if (ret < 0) {
		snprintf(uring_fail, sizeof(uring_fail), "submit: %s",
			 strerror(-ret));
		return -1;
	}
	/* reap every completion, even after a failure: none may be left over */
	while (seen < nsqe) {
		unsigned int got = 0;

		io_uring_for_each_cqe(&ring, head, cqe) {
			int want = expected[cqe->user_data];

			run_ret[cqe->user_data] = cqe->res;
			if (!err && cqe->res != want &&
			    !(want == -1 && cqe->res >= 0)) {
				snprintf(uring_fail, sizeof(uring_fail),
					 "sqe %llu: result %d (%s), expected %d",
					 (unsigned long long)cqe->user_data,
					 cqe->res, cqe->res < 0 ?
					 strerror(-cqe->res) : "short", want);
				err = -1;
			}
			got++;
		}
		io_uring_cq_advance(&ring, got);
		seen += got;
		if (seen < nsqe && !got) {
			ret = io_uring_wait_cqe(&ring, &cqe);
			if (ret < 0) {
				snprintf(uring_fail, sizeof(uring_fail),
					 "wait: %s", strerror(-ret));
				return -1;
			}
		}
	}
	return err;
}
