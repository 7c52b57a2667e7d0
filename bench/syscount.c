// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * syscount.c: which syscalls each mode makes for one batch, counted by
 * the kernel (tracefs, raw_syscalls:sys_enter filtered by this process's
 * pid), so that a loop that makes other syscalls than the chain's ops (as
 * glibc's fstat(), which is newfstatat(fd, "", AT_EMPTY_PATH) on Debian 12,
 * against the chain's fstat) cannot hide behind plausible timings.
 *
 * A counted batch lies between two trace_marker lines; the sys_enter of
 * the write(2) of the closing marker is recorded before it and dropped.
 * The event is enabled only around a counted batch: an enabled syscall
 * tracepoint sends every syscall of every task through the slow path,
 * which would slow the timed loops down.
 *
 * What must hold: loop and chain-user make exactly the chain's ops, in
 * order; chain makes only ioctl(SYSCHAIN_RUN), chain-reg, chain-fixed and
 * chain-kbuf only ioctl(SYSCHAIN_EXEC): one, or one more each time the
 * chain leaves the kernel at an op boundary and libchain resumes it
 * (before 6.8, after every close, so that the file's final fput runs:
 * module/ops_fs.c); uring's syscalls are printed, not required.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/syschain.h>
#include "bench.h"

#define SC_MAX 64		/* syscalls kept per counted batch */

static const char *const tracefs[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing"
};
static char tdir[64];
static int fd_marker = -1, fd_enable = -1;
int syscount_failed;

static struct sc_mode {
	bool counted, ok;
	int count;			/* syscalls in the batch */
	long nr[SC_MAX];
	unsigned long cmd[SC_MAX];	/* an ioctl's request */
	char why[160];
} sc[NMODES];

static int tw(const char *file, const char *val)
{
	char path[160];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", tdir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

void syscount_init(void)
{
	char path[160], filter[64];
	unsigned int i;

	for (i = 0; i < sizeof(tracefs) / sizeof(tracefs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_enter/enable",
			 tracefs[i]);
		if (!access(path, W_OK)) {
			snprintf(tdir, sizeof(tdir), "%s", tracefs[i]);
			break;
		}
	}
	if (!tdir[0])
		die("--syscalls: no writable tracefs with raw_syscalls:sys_enter "
		    "(mount tracefs on /sys/kernel/tracing; root needed)");
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)getpid());
	if (tw("events/raw_syscalls/sys_enter/enable", "0") ||
	    tw("events/raw_syscalls/sys_enter/filter", filter) ||
	    tw("tracing_on", "1"))
		die("--syscalls: cannot set up tracing in %s: %s", tdir, strerror(errno));
	snprintf(path, sizeof(path), "%s/trace_marker", tdir);
	fd_marker = open(path, O_WRONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_enter/enable", tdir);
	fd_enable = open(path, O_WRONLY | O_CLOEXEC);
	if (fd_marker < 0 || fd_enable < 0)
		die("--syscalls: cannot open %s/trace_marker or the event's enable", tdir);
}

void syscount_end(void)
{
	if (!tdir[0])
		return;
	close(fd_marker);
	close(fd_enable);
	tw("events/raw_syscalls/sys_enter/enable", "0");
	tw("events/raw_syscalls/sys_enter/filter", "0");
}

void syscount_start(void)
{
	int fd;
	char path[160];

	snprintf(path, sizeof(path), "%s/trace", tdir);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);	/* clears it */
	if (fd >= 0)
		close(fd);
	if (write(fd_enable, "1", 1) != 1 || write(fd_marker, "@@SC-B", 6) != 6)
		die("--syscalls: writing to tracefs: %s", strerror(errno));
}

/* The syscalls between the markers, into r; -1 if the trace is not whole. */
static int sc_parse(struct sc_mode *r)
{
	static char line[1024];
	char path[160];
	bool in = false, end = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tdir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	r->count = 0;
	while (!end && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "sys_enter: NR ");

		if (strstr(line, "@@SC-B"))
			in = true;
		else if (strstr(line, "@@SC-E"))
			end = true;
		else if (in && p) {
			long nr = strtol(p + 14, &p, 10);
			unsigned long cmd = 0;

			if (*p == ' ' && p[1] == '(')
				cmd = strtoul(strchr(p, ',') ? strchr(p, ',') + 1 : p, NULL, 16);
			if (r->count < SC_MAX) {
				r->nr[r->count] = nr;
				r->cmd[r->count] = cmd;
			}
			r->count++;
		}
	}
	fclose(f);
	/* the closing marker's own write */
	if (!end || !r->count || r->count > SC_MAX || r->nr[r->count - 1] != __NR_write)
		return -1;
	r->count--;
	return 0;
}

static const char *sc_name(long nr, unsigned long cmd, char *buf, size_t len)
{
	if (nr == __NR_ioctl)
		snprintf(buf, len, "ioctl(%s)", cmd == SYSCHAIN_RUN ? "SYSCHAIN_RUN" :
			 cmd == SYSCHAIN_EXEC ? "SYSCHAIN_EXEC" : "other");
	else if (nr == __NR_io_uring_enter)
		snprintf(buf, len, "io_uring_enter");
	else if (sys_name(nr))
		snprintf(buf, len, "%s", sys_name(nr));
	else
		snprintf(buf, len, "syscall %ld", nr);
	return buf;
}

/* Whether r made what mode m must make for n units of w; why if not. */
static bool sc_expected(const struct workload *w, enum mode m, int n,
			struct sc_mode *r)
{
	char a[48], b[48];
	int i;

	if (IS_URING_MODE(m))
		return true;
	if (m == M_CHAIN || IS_REG_MODE(m)) {
		unsigned long want = m == M_CHAIN ? SYSCHAIN_RUN : SYSCHAIN_EXEC;

		for (i = 0; i < r->count; i++)
			if (r->nr[i] != __NR_ioctl || r->cmd[i] != want)
				break;
		if (r->count && i == r->count)
			return true;
		snprintf(r->why, sizeof(r->why), "%d syscalls, syscall %d is %s, not %s",
			 r->count, i, i < r->count ? sc_name(r->nr[i], r->cmd[i], a, sizeof(a)) : "-",
			 sc_name(__NR_ioctl, want, b, sizeof(b)));
		return false;
	}
	if (r->count != n * w->ops_per_item) {
		snprintf(r->why, sizeof(r->why), "%d syscalls, the chain has %d ops",
			 r->count, n * w->ops_per_item);
		return false;
	}
	for (i = 0; i < r->count; i++)
		if (r->nr[i] != w->nrs[i % w->ops_per_item]) {
			snprintf(r->why, sizeof(r->why), "syscall %d is %s, the chain's op is %s",
				 i, sc_name(r->nr[i], r->cmd[i], a, sizeof(a)),
				 sc_name(w->nrs[i % w->ops_per_item], 0, b, sizeof(b)));
			return false;
		}
	return true;
}

void syscount_stop(const struct workload *w, enum mode m, int n)
{
	struct sc_mode *r = &sc[m];

	if (write(fd_marker, "@@SC-E", 6) != 6 || write(fd_enable, "0", 1) != 1)
		die("--syscalls: writing to tracefs: %s", strerror(errno));
	memset(r, 0, sizeof(*r));
	r->counted = true;
	if (sc_parse(r)) {
		snprintf(r->why, sizeof(r->why), "the trace lacks the markers or was cut");
		r->ok = false;
	} else {
		r->ok = sc_expected(w, m, n, r);
	}
	if (!r->ok) {
		syscount_failed++;
		note("SYSCALLS MISMATCH: workload %s, mode %s, N=%d: %s", w->name,
		     mode_names[m], n, r->why);
	}
}

void syscount_json(FILE *f, const struct workload *w)
{
	char buf[48];
	int m, i;

	fprintf(f, ",\"syscalls\":{\"n\":%d,\"modes\":{", SC_N);
	for (m = 0, i = 0; m < NMODES; m++) {
		struct sc_mode *r = &sc[m];
		int k;

		if (!r->counted)
			continue;
		fprintf(f, "%s\"%s\":{\"count\":%d,\"ok\":%s,\"why\":", i++ ? "," : "",
			mode_names[m], r->count, r->ok ? "true" : "false");
		json_str(f, r->why);
		fputs(",\"calls\":[", f);
		for (k = 0; k < r->count && k < SC_MAX; k++) {
			fputs(k ? "," : "", f);
			json_str(f, sc_name(r->nr[k], r->cmd[k], buf, sizeof(buf)));
		}
		fputs("]}", f);
		r->counted = false;
	}
	fputs("}}", f);
	(void)w;
}
