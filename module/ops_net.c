// SPDX-License-Identifier: GPL-2.0-only
/*
 * Socket ops: each follows its syscall in net/socket.c step by step. The
 * socket is found with sockfd_lookup() (-EBADF, -ENOTSOCK, O_PATH
 * descriptors refused like fdget()), the data goes through sock_sendmsg()
 * and sock_recvmsg(), which run the LSM hooks and the protocol, so
 * results, errnos, blocking, MSG_* flags and signals (SIGPIPE, raised by
 * the protocol) are those of the syscall.
 *
 * move_addr_to_kernel() and move_addr_to_user() are static in
 * net/socket.c; their logic is replicated below except for the audit
 * record: audit_sockaddr() calls __audit_sockaddr(), which is not
 * exported, so a task under syscall auditing gets no SOCKADDR record for
 * an address passed through a chain (audit sees the ioctl, see README).
 */
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <net/sock.h>
#include "ops.h"

/*
 * import_ubuf() (6.5+; import_single_range() before, with a one-segment
 * iovec): the count clamped to MAX_RW_COUNT, then -EFAULT unless the whole
 * range is a user range.
 */
static int sc_import_ubuf(int rw, void __user *buf, size_t len,
			  struct iov_iter *iter)
{
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (unlikely(!access_ok(buf, len)))
		return -EFAULT;
	iov_iter_ubuf(iter, rw, buf, len);
	return 0;
}

/* move_addr_to_kernel(), without the audit record */
static int sc_move_addr_to_kernel(void __user *uaddr, int ulen,
				  struct sockaddr_storage *kaddr)
{
	if (ulen < 0 || ulen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	if (ulen == 0)
		return 0;
	if (copy_from_user(kaddr, uaddr, ulen))
		return -EFAULT;
	return 0;
}

/*
 * move_addr_to_user(), without the audit record: up to *ulen bytes of the
 * address, and the untruncated length written back to *ulen.
 */
static int sc_move_addr_to_user(struct sockaddr_storage *kaddr, int klen,
				void __user *uaddr, int __user *ulen)
{
	int len;

	if (WARN_ON_ONCE(klen > sizeof(struct sockaddr_storage)))
		return -EINVAL;
	if (get_user(len, ulen))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(uaddr, kaddr, len))
		return -EFAULT;
	return put_user(klen, ulen);
}

/*
 * sendto(int fd, void __user *buff, size_t len, unsigned int flags,
 *	  struct sockaddr __user *addr, int addr_len): __sys_sendto()
 */
__s64 sc_op_sendto(const __u64 *args)
{
	void __user *buff = u64_to_user_ptr(args[1]);
	unsigned int flags = (unsigned int)args[3];
	void __user *addr = u64_to_user_ptr(args[4]);
	int addr_len = (int)args[5];
	struct sockaddr_storage address;
	struct msghdr msg = {};
	struct socket *sock;
	int err;

	err = sc_import_ubuf(ITER_SOURCE, buff, (size_t)args[2], &msg.msg_iter);
	if (unlikely(err))
		return err;
	sock = sockfd_lookup((int)args[0], &err);
	if (!sock)
		return err;

	if (addr) {
		err = sc_move_addr_to_kernel(addr, addr_len, &address);
		if (err < 0)
			goto out_put;
		msg.msg_name = (struct sockaddr *)&address;
		msg.msg_namelen = addr_len;
	}
	flags &= ~MSG_INTERNAL_SENDMSG_FLAGS;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	msg.msg_flags = flags;
	/*
	 * __sock_sendmsg() is static: sock_sendmsg() is it, plus a private
	 * copy of the address so that a BPF hook's rewrite stays local.
	 */
	err = sock_sendmsg(sock, &msg);
out_put:
	sockfd_put(sock);
	return err;
}

/*
 * recvfrom(int fd, void __user *ubuf, size_t size, unsigned int flags,
 *	    struct sockaddr __user *addr, int __user *addr_len): __sys_recvfrom()
 */
__s64 sc_op_recvfrom(const __u64 *args)
{
	void __user *ubuf = u64_to_user_ptr(args[1]);
	unsigned int flags = (unsigned int)args[3];
	void __user *addr = u64_to_user_ptr(args[4]);
	int __user *addr_len = u64_to_user_ptr(args[5]);
	struct sockaddr_storage address;
	struct msghdr msg = {
		.msg_name = addr ? (struct sockaddr *)&address : NULL,
	};
	struct socket *sock;
	int err, err2;

	err = sc_import_ubuf(ITER_DEST, ubuf, (size_t)args[2], &msg.msg_iter);
	if (unlikely(err))
		return err;
	sock = sockfd_lookup((int)args[0], &err);
	if (!sock)
		return err;

	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	err = sock_recvmsg(sock, &msg, flags);
	if (err >= 0 && addr) {
		err2 = sc_move_addr_to_user(&address, msg.msg_namelen, addr,
					    addr_len);
		if (err2 < 0)
			err = err2;
	}
	sockfd_put(sock);
	return err;
}
