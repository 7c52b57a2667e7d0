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
 *
 * sendmsg and recvmsg replicate copy_msghdr_from_user() and __copy_msghdr()
 * (static, and not exported) and the bodies of ____sys_sendmsg() and
 * ____sys_recvmsg(). Ancillary data is the protocol's business, as for the
 * syscalls: SCM_RIGHTS and SCM_CREDENTIALS are taken by __scm_send() and
 * handed out by scm_recv()/scm_detach_fds() and put_cmsg() inside the
 * protocol's sendmsg/recvmsg, in the caller's context, so descriptors are
 * taken from and installed into the caller's file table (MSG_CMSG_CLOEXEC
 * included). MSG_CMSG_COMPAT is refused with -EINVAL as the native
 * syscalls refuse it; 32-bit callers are refused at validation, because
 * import_iovec() would read their iovecs with the 32-bit layout.
 */
#include <linux/compat.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <net/sock.h>
#include "ops.h"

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
__s64 sc_op_sendto(const __u64 *args, struct sc_exec *x)
{
	void __user *buff = u64_to_user_ptr(args[1]);
	unsigned int flags = (unsigned int)args[3];
	void __user *addr = u64_to_user_ptr(args[4]);
	int addr_len = (int)args[5];
	struct sockaddr_storage address;
	struct msghdr msg = {};
	struct socket *sock;
	struct iovec iov;
	int err;

	err = sc_import_single(ITER_SOURCE, buff, (size_t)args[2], &iov,
			       &msg.msg_iter);
	if (unlikely(err))
		return err;
	if (x->fixed)	/* the same bytes, through the pinned pages */
		sc_fixed_iter(&msg.msg_iter, ITER_SOURCE, x->fixed, buff,
			      iov_iter_count(&msg.msg_iter));
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
__s64 sc_op_recvfrom(const __u64 *args, struct sc_exec *x)
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
	struct iovec iov;
	int err, err2;

	err = sc_import_single(ITER_DEST, ubuf, (size_t)args[2], &iov,
			       &msg.msg_iter);
	if (unlikely(err))
		return err;
	if (x->fixed)
		sc_fixed_iter(&msg.msg_iter, ITER_DEST, x->fixed, ubuf,
			      iov_iter_count(&msg.msg_iter));
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

/*
 * copy_msghdr_from_user() with __copy_msghdr(): the user msghdr, its name
 * (copied in for a send, only its user address kept for a receive, in
 * *save_addr), its control buffer's user address and length, and its
 * iovecs imported. On failure *iov is untouched or NULL: nothing to free.
 */
static int sc_copy_msghdr(struct msghdr *kmsg,
			  struct user_msghdr __user *umsg,
			  struct sockaddr __user **save_addr,
			  struct iovec **iov)
{
	struct user_msghdr msg;
	ssize_t err;

	if (copy_from_user(&msg, umsg, sizeof(*umsg)))
		return -EFAULT;

	kmsg->msg_control_is_user = true;
	kmsg->msg_get_inq = 0;
	kmsg->msg_control_user = msg.msg_control;
	kmsg->msg_controllen = msg.msg_controllen;
	kmsg->msg_flags = msg.msg_flags;

	kmsg->msg_namelen = msg.msg_namelen;
	if (!msg.msg_name)
		kmsg->msg_namelen = 0;
	if (kmsg->msg_namelen < 0)
		return -EINVAL;
	if (kmsg->msg_namelen > sizeof(struct sockaddr_storage))
		kmsg->msg_namelen = sizeof(struct sockaddr_storage);

	if (save_addr)
		*save_addr = msg.msg_name;

	if (msg.msg_name && kmsg->msg_namelen) {
		if (!save_addr) {
			err = sc_move_addr_to_kernel(msg.msg_name,
						     kmsg->msg_namelen,
						     kmsg->msg_name);
			if (err < 0)
				return err;
		}
	} else {
		kmsg->msg_name = NULL;
		kmsg->msg_namelen = 0;
	}

	if (msg.msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;

	kmsg->msg_iocb = NULL;
	kmsg->msg_ubuf = NULL;

	err = import_iovec(save_addr ? ITER_DEST : ITER_SOURCE,
			   msg.msg_iov, msg.msg_iovlen, UIO_FASTIOV, iov,
			   &kmsg->msg_iter);
	return err < 0 ? err : 0;
}

/* readv/writev's reason: import_iovec() reads 32-bit iovecs in a compat task */
/*
 * A 32-bit caller's sendto() payload is read in the 32-bit layout by the
 * netlink families that translate compat messages (xfrm_user, through
 * in_compat_syscall()); ops take native layouts, so it is refused.
 */
int sc_check_sendto(const struct syschain_op *op)
{
	return in_compat_syscall() ? -EOPNOTSUPP : 0;
}

int sc_check_sendmsg(const struct syschain_op *op)
{
	return in_compat_syscall() ? -EOPNOTSUPP : 0;
}

int sc_check_recvmsg(const struct syschain_op *op)
{
	return in_compat_syscall() ? -EOPNOTSUPP : 0;
}

/*
 * sendmsg(int fd, struct user_msghdr __user *msg, unsigned int flags):
 * __sys_sendmsg(), ___sys_sendmsg() and ____sys_sendmsg()
 */
__s64 sc_op_sendmsg(const __u64 *args, struct sc_exec *x)
{
	struct user_msghdr __user *umsg = u64_to_user_ptr(args[1]);
	unsigned int flags = (unsigned int)args[2];
	struct iovec iovstack[UIO_FASTIOV], *iov = iovstack;
	/* 20 is the size of ipv6_pktinfo */
	unsigned char ctl[sizeof(struct cmsghdr) + 20]
				__aligned(sizeof(__kernel_size_t));
	unsigned char *ctl_buf = ctl;
	struct sockaddr_storage address;
	struct msghdr msg_sys = { .msg_name = &address };
	struct socket *sock;
	int ctl_len;
	int err;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	sock = sockfd_lookup((int)args[0], &err);
	if (!sock)
		return err;

	err = sc_copy_msghdr(&msg_sys, umsg, NULL, &iov);
	if (err < 0)
		goto out_put;

	err = -ENOBUFS;
	if (msg_sys.msg_controllen > INT_MAX)
		goto out_freeiov;
	ctl_len = msg_sys.msg_controllen;
	if (ctl_len) {
		BUILD_BUG_ON(sizeof(struct cmsghdr) !=
			     CMSG_ALIGN(sizeof(struct cmsghdr)));
		if (ctl_len > sizeof(ctl)) {
			ctl_buf = sock_kmalloc(sock->sk, ctl_len, GFP_KERNEL);
			if (!ctl_buf)
				goto out_freeiov;
		}
		err = -EFAULT;
		if (copy_from_user(ctl_buf, msg_sys.msg_control_user, ctl_len))
			goto out_freectl;
		msg_sys.msg_control = ctl_buf;
		msg_sys.msg_control_is_user = false;
	}
	flags &= ~MSG_INTERNAL_SENDMSG_FLAGS;
	msg_sys.msg_flags = flags;
	if (sock->file->f_flags & O_NONBLOCK)
		msg_sys.msg_flags |= MSG_DONTWAIT;
	/* __sock_sendmsg() is static: see sendto */
	err = sock_sendmsg(sock, &msg_sys);

out_freectl:
	if (ctl_buf != ctl)
		sock_kfree_s(sock->sk, ctl_buf, ctl_len);
out_freeiov:
	kfree(iov);
out_put:
	sockfd_put(sock);
	return err;
}

/*
 * recvmsg(int fd, struct user_msghdr __user *msg, unsigned int flags):
 * __sys_recvmsg(), ___sys_recvmsg() and ____sys_recvmsg()
 */
__s64 sc_op_recvmsg(const __u64 *args, struct sc_exec *x)
{
	struct user_msghdr __user *umsg = u64_to_user_ptr(args[1]);
	unsigned int flags = (unsigned int)args[2];
	struct iovec iovstack[UIO_FASTIOV], *iov = iovstack;
	struct sockaddr_storage addr;
	struct msghdr msg_sys = {};
	struct sockaddr __user *uaddr;
	unsigned long cmsg_ptr;
	struct socket *sock;
	int len, err;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	sock = sockfd_lookup((int)args[0], &err);
	if (!sock)
		return err;

	err = sc_copy_msghdr(&msg_sys, umsg, &uaddr, &iov);
	if (err < 0)
		goto out_put;

	msg_sys.msg_name = &addr;
	cmsg_ptr = (unsigned long)msg_sys.msg_control_user;
	msg_sys.msg_flags = flags & (MSG_CMSG_CLOEXEC | MSG_CMSG_COMPAT);
	/* We assume all kernel code knows the size of sockaddr_storage */
	msg_sys.msg_namelen = 0;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;

	err = sock_recvmsg(sock, &msg_sys, flags);
	if (err < 0)
		goto out_freeiov;
	len = err;

	if (uaddr) {
		err = sc_move_addr_to_user(&addr, msg_sys.msg_namelen, uaddr,
					   &umsg->msg_namelen);
		if (err < 0)
			goto out_freeiov;
	}
	err = __put_user(msg_sys.msg_flags & ~MSG_CMSG_COMPAT,
			 &umsg->msg_flags);
	if (err)
		goto out_freeiov;
	err = __put_user((unsigned long)msg_sys.msg_control_user - cmsg_ptr,
			 &umsg->msg_controllen);
	if (err)
		goto out_freeiov;
	err = len;

out_freeiov:
	kfree(iov);
out_put:
	sockfd_put(sock);
	return err;
}
