/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * AF_UNIX addresses and bound datagram sockets for the socket op tests.
 */
#ifndef SYSCHAIN_GUEST_SOCK_H
#define SYSCHAIN_GUEST_SOCK_H

#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Fill @a with @name (in the abstract namespace if @abstract); its length */
static inline socklen_t un_addr(struct sockaddr_un *a, const char *name,
				int abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(a->sun_path + 1, name, strlen(name));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	}
	strcpy(a->sun_path, name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1;
}

/* A datagram socket bound to @name; its address in @a/@len if wanted */
static inline int bound_dgram(const char *name, int abstract,
			      struct sockaddr_un *a, socklen_t *len)
{
	struct sockaddr_un tmp;
	socklen_t l;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!a)
		a = &tmp;
	if (!abstract)
		unlink(name);
	l = un_addr(a, name, abstract);
	if (len)
		*len = l;
	if (fd < 0 || bind(fd, (struct sockaddr *)a, l))
		return -1;
	return fd;
}

#endif /* SYSCHAIN_GUEST_SOCK_H */
