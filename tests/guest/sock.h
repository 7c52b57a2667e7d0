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
#include "guest.h"

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

/*
 * What a socket op is compared on besides its results: the directory of
 * the path-bound sockets (a tmpfs mounted strictatime: a send to a bound
 * path moves the socket file's atime), the sockets bound to @dst and @src
 * (each side binds its own), and the descriptor the op works on.
 */
static inline void sock_observe(struct g_obs *o, const char *dir,
				const char *dst, const char *src, int fd)
{
	g_obs_init(o);
	g_obs_add(o, dir, 0);
	g_obs_add(o, dst, G_OBJ_PER_SIDE);
	g_obs_add(o, src, G_OBJ_PER_SIDE);
	if (fd >= 0 && fd != 1000)
		g_obs_add_fd(o, fd);
}

#endif /* SYSCHAIN_GUEST_SOCK_H */
