// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * syschain(1): what the loaded module offers (syschain probe), and the ops
 * inside running chains, one line per op in strace's style (syschain
 * trace), from the module's tracepoints: strace sees a chain as one ioctl.
 *
 * trace reads the events syschain/syschain_op and syschain/syschain_run
 * in a tracefs instance of its own (instances/syschain-<pid>), so that it
 * neither needs nor disturbs the global trace buffer, and follows the
 * traced tasks with set_event_pid and the event-fork option: threads and
 * children they create later are followed too. It removes the instance
 * when it ends.
 *
 * Copyright (C) 2026 The syschain authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <libchain.h>

#define TRACEFS "/sys/kernel/tracing"
#define PARAMS "/sys/module/syschain/parameters/"

/* What an argument is, as module/oplist.h says (its SC_I/SC_P kinds). */
enum kind {
	K_FD, K_SOCK, K_DIRFD, K_PATH, K_BUF, K_LEN, K_OFF, K_OFFP, K_IOV,
	K_IOVCNT, K_MSG, K_RMSG, K_ADDRP, K_ADDRLEN, K_ADDRLENP, K_TSIN,
	K_TSREM, K_CLOCK, K_SCLOCK, K_OFLAGS, K_MODE, K_WHENCE, K_ATFL,
	K_AMODE, K_ACCFL, K_FALLOC, K_ADVICE, K_MSGFL, K_TIMERFL, K_GRNDFL,
	K_ZERO, K_PID, K_KPID, K_SIG, K_XNAME,
	K_IOBUF = K_BUF,	/* a K_BUF a registered buffer may hold */
};

struct opdesc {
	long nr;
	const char *name;
	unsigned int nargs;
	enum kind kinds[6];
};

/* The op list, with the kind of each argument; a kind not in the enum
 * above does not compile. */
static const struct opdesc ops[] = {
#define SC_I(kind, name) K_##kind
#define SC_P(kind, name) K_##kind
#define SC_OP(sys, n, chk, ...) { __NR_##sys, #sys, n, { __VA_ARGS__ } },
#include "oplist.h"
#undef SC_OP
#undef SC_P
#undef SC_I
};

static const char *prog = "syschain";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s probe\n"
		"       %s trace [-o FILE] -p PID\n"
		"       %s trace [-o FILE] [--] COMMAND [ARG...]\n"
		"       %s --help | --version\n"
		"See syschain(1).\n", prog, prog, prog, prog);
}

static const struct opdesc *op_by_nr(long nr)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].nr == nr)
			return &ops[i];
	return NULL;
}

/* A module parameter as the file has it, without the newline; "?" if
 * it cannot be read. */
static const char *param(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "re");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int cmd_probe(void)
{
	static struct chain_probe p;
	char a[64], b[64], c[64];
	unsigned int i;
	int ret;

	ret = chain_probe(&p);
	if (ret) {
		fprintf(stderr, "%s: no usable /dev/syschain: %s; programs run "
			"their chains with plain syscalls (libchain's user "
			"backend)\n", prog, strerror(-ret));
		return 1;
	}
	printf("module: syschain %u.%u.%u, ABI %u, /dev/syschain\n",
	       p.module_version >> 16, (p.module_version >> 8) & 0xff,
	       p.module_version & 0xff, p.abi_version);
	printf("limits: max_ops %u, max_conds %u, max_steps %" PRIu64 "\n",
	       p.max_ops, p.max_conds, p.max_steps);
	printf("switches: disabled %s, group %s, allow_seccomp %s\n",
	       param("disabled", a, sizeof(a)), param("group", b, sizeof(b)),
	       param("allow_seccomp", c, sizeof(c)));
	printf("counters: chains_in_flight %s, chains_total %s\n",
	       param("chains_in_flight", a, sizeof(a)),
	       param("chains_total", b, sizeof(b)));
	printf("ops (%u):", p.nr_syscalls);
	for (i = 0; i < p.nr_syscalls; i++) {
		const char *name = chain_op_name(p.syscalls[i]);

		if (name)
			printf(" %s", name);
		else
			printf(" %u", p.syscalls[i]);
	}
	printf("\n");
	return 0;
}

/* trace */

static char inst[128];		/* the instance's directory */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Write @val to @name in the instance. */
static int inst_write(const char *name, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", inst, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

static void inst_remove(void)
{
	if (!inst[0])
		return;
	inst_write("events/syschain/enable", "0");
	inst_write("tracing_on", "0");
	if (rmdir(inst))
		fprintf(stderr, "%s: cannot remove %s: %s\n", prog, inst,
			strerror(errno));
	inst[0] = '\0';
}

/* tracefs mounted where the kernel puts it, mounted there if it is not. */
static int tracefs_ready(void)
{
	struct stat st;

	if (!stat(TRACEFS "/instances", &st))
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) &&
	    stat(TRACEFS "/instances", &st)) {
		fprintf(stderr, "%s: tracefs is not mounted on " TRACEFS
			" and cannot be (%s): mount it, as root\n", prog,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* The instance, following @pids (space-separated) and their children. */
static int inst_create(const char *pids)
{
	int ret;

	snprintf(inst, sizeof(inst), TRACEFS "/instances/syschain-%d",
		 (int)getpid());
	if (mkdir(inst, 0700)) {
		fprintf(stderr, "%s: mkdir %s: %s\n", prog, inst,
			strerror(errno));
		inst[0] = '\0';
		return -1;
	}
	ret = inst_write("options/event-fork", "1");
	if (!ret)
		ret = inst_write("set_event_pid", pids);
	if (!ret) {
		ret = inst_write("events/syschain/enable", "1");
		if (ret == -ENOENT) {
			fprintf(stderr, "%s: the syschain module is not loaded "
				"(no syschain events)\n", prog);
			inst_remove();
			return -1;
		}
	}
	if (ret) {
		fprintf(stderr, "%s: cannot set up tracing in %s: %s\n", prog,
			inst, strerror(-ret));
		inst_remove();
		return -1;
	}
	return 0;
}

/* Every thread of @pid, space-separated, into @buf. */
static int threads_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	struct dirent *d;
	size_t used = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	buf[0] = '\0';
	while ((d = readdir(dir))) {
		int n;

		if (d->d_name[0] == '.')
			continue;
		n = snprintf(buf + used, len - used, "%s ", d->d_name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	closedir(dir);
	return used ? 0 : -ESRCH;
}

/* the module cuts a path at this many bytes (SC_TRACE_PATH_MAX - 1) */
#define EV_PATH_MAX 255

/* @s (@n bytes) quoted as strace does; "..." after it if @cut. */
static void put_quoted(FILE *out, const char *s, size_t n, bool cut)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(out, "\\%o", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
	if (cut)
		fputs("...", out);
}

/*
 * The NUL-terminated string at @addr in @pid, read now (a module whose
 * events do not carry the path): the address if it cannot be read.
 */
static void put_string(FILE *out, pid_t pid, uint64_t addr)
{
	char s[EV_PATH_MAX];
	size_t n;

	if (!addr) {
		fputs("NULL", out);
		return;
	}
	/* byte by byte up to the NUL or a fault: a page end may be near */
	for (n = 0; n < sizeof(s); n++) {
		struct iovec local = { s + n, 1 };
		struct iovec remote = { (char *)(uintptr_t)addr + n, 1 };

		if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != 1) {
			if (!n) {	/* not even its first byte */
				fprintf(out, "0x%" PRIx64, addr);
				return;
			}
			break;
		}
		if (!s[n])
			break;
	}
	put_quoted(out, s, n, n == sizeof(s));
}

/* Composite flags before their parts; none is 0 (O_LARGEFILE may be). */
static const struct {
	unsigned int flag;
	const char *name;
} oflags[] = {
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" },
	{ O_DIRECT, "O_DIRECT" }, { O_LARGEFILE, "O_LARGEFILE" },
	{ O_TMPFILE, "O_TMPFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
	{ O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
};

static void put_oflags(FILE *out, uint64_t v)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					   "O_ACCMODE" };
	uint64_t left = v & ~(uint64_t)O_ACCMODE;
	size_t i;

	fputs(acc[v & O_ACCMODE], out);
	for (i = 0; i < sizeof(oflags) / sizeof(oflags[0]); i++) {
		uint64_t f = oflags[i].flag;

		if (f && (left & f) == f) {
			fprintf(out, "|%s", oflags[i].name);
			left &= ~f;
		}
	}
	if (left)
		fprintf(out, "|0x%" PRIx64, left);
}

/* A path as the event carries it (@len < -1: none), else from memory. */
struct ev_path {
	int len;
	const char *s;
};

static void put_arg(FILE *out, pid_t pid, enum kind k, uint64_t v,
		    const struct ev_path *path)
{
	switch (k) {
	case K_FD:
	case K_SOCK:
	case K_LEN:
	case K_OFF:
	case K_IOVCNT:
	case K_ADDRLEN:
	case K_CLOCK:
	case K_SCLOCK:
	case K_WHENCE:
	case K_ZERO:
		fprintf(out, "%" PRId64, (int64_t)v);
		break;
	case K_PID:
	case K_KPID:
	case K_SIG:
		fprintf(out, "%d", (int)v);
		break;
	case K_DIRFD:
		if ((int)v == AT_FDCWD)
			fputs("AT_FDCWD", out);
		else
			fprintf(out, "%d", (int)v);
		break;
	case K_PATH:
		if (path->len >= 0)
			put_quoted(out, path->s, (size_t)path->len,
				   path->len == EV_PATH_MAX);
		else if (path->len == -EFAULT || !v)
			fprintf(out, v ? "0x%" PRIx64 : "NULL", v);
		else
			put_string(out, pid, v);
		break;
	case K_XNAME:	/* NULL, an address that faults, or the name */
		put_string(out, pid, v);
		break;
	case K_OFLAGS:
		put_oflags(out, v);
		break;
	case K_MODE:
		fprintf(out, v ? "0%" PRIo64 : "0", v);
		break;
	default:	/* addresses, and flags shown as numbers */
		if (v)
			fprintf(out, "0x%" PRIx64, v);
		else
			fputs(k == K_ATFL || k == K_AMODE || k == K_ACCFL ||
			      k == K_FALLOC || k == K_ADVICE || k == K_MSGFL ||
			      k == K_TIMERFL || k == K_GRNDFL ? "0" : "NULL",
			      out);
		break;
	}
}

static void put_result(FILE *out, int64_t ret)
{
	if (ret < 0 && ret >= -4095) {
		int e = (int)-ret;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
		const char *name = strerrorname_np(e);
#else
		const char *name = NULL;
#endif
		if (name)
			fprintf(out, " = -1 %s (%s)\n", name, strerror(e));
		else
			fprintf(out, " = -1 errno %d (%s)\n", e, strerror(e));
		return;
	}
	fprintf(out, " = %" PRId64 "\n", ret);
}

/*
 * One line of trace_pipe: "<comm>-<tid> [cpu] flags time: <event>: ...".
 * Return: 1 if it was the end of a chain, 0 otherwise.
 */
static int put_event(FILE *out, const char *line)
{
	const char *ev, *p;
	unsigned int idx, nr, nr_ops, status;
	unsigned long long a[6], steps;
	long long ret;
	int tid, stop_op, end = 0, end2 = 0;

	ev = strstr(line, ": syschain_");
	p = strchr(line, '[');
	if (!ev || !p || p > ev)
		return 0;
	/* the tid ends the task field, just before " [cpu]" */
	while (p > line && p[-1] == ' ')
		p--;
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (sscanf(p, "%d", &tid) != 1)
		return 0;
	if (sscanf(ev, ": syschain_op: op=%u nr=%u args=(%llx, %llx, %llx, "
		   "%llx, %llx, %llx) ret=%lld%n", &idx, &nr, &a[0], &a[1],
		   &a[2], &a[3], &a[4], &a[5], &ret, &end) == 9) {
		const struct opdesc *d = op_by_nr(nr);
		struct ev_path path = { .len = -2 };
		const char *q;
		unsigned int i;

		/* ' path_len=N path="..."' (a module since 0.2): to the last '"' */
		if (sscanf(ev + end, " path_len=%d path=\"%n", &path.len,
			   &end2) == 1 && (q = strrchr(ev + end + end2, '"'))) {
			path.s = ev + end + end2;
			if (path.len >= 0)
				path.len = (int)(q - path.s);
		} else {
			path.len = -2;
		}

		fprintf(out, "[pid %5d] op %-3u ", tid, idx);
		if (!d) {
			fprintf(out, "syscall_%u(...)", nr);
		} else {
			fprintf(out, "%s(", d->name);
			for (i = 0; i < d->nargs; i++) {
				if (i)
					fputs(", ", out);
				put_arg(out, tid, d->kinds[i], a[i], &path);
			}
			fputc(')', out);
		}
		put_result(out, ret);
		return 0;
	}
	if (sscanf(ev, ": syschain_run: nr_ops=%u steps=%llu status=%u "
		   "stop_op=%d", &nr_ops, &steps, &status, &stop_op) == 4) {
		fprintf(out, "[pid %5d] chain of %u ops: %llu steps, %s", tid,
			nr_ops, steps, chain_status_str(status));
		if (stop_op >= 0)
			fprintf(out, " at op %d", stop_op);
		fputc('\n', out);
		return 1;
	}
	return 0;
}

/* Copy events from the instance's trace_pipe to @out until told to stop
 * or @child (if any) has exited and the pipe is drained. */
static int pump(FILE *out, pid_t child, int *child_status)
{
	char buf[8192], line[1024];
	size_t used = 0;
	bool done = false;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		size_t i;

		if (!done && child > 0 &&
		    waitpid(child, child_status, WNOHANG) == child)
			done = true;	/* drain what is left, then end */
		if (stop)
			done = true;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "%s: reading %s: %s\n", prog, path,
				strerror(errno));
			break;
		}
		if (n <= 0) {
			if (done)
				break;
			poll(&pfd, 1, 100);
			continue;
		}
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n') {
				if (used < sizeof(line) - 1)
					line[used++] = buf[i];
				continue;
			}
			line[used] = '\0';
			put_event(out, line);
			used = 0;
		}
		fflush(out);
	}
	close(fd);
	return 0;
}

static int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char pids[4096];
	pid_t pid = 0, child = -1;
	int go[2] = { -1, -1 };
	int status = 0, opt, ret = 1;
	FILE *out = stdout;
	char *end;

	while ((opt = getopt_long(argc, argv, "+p:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			errno = 0;
			pid = (pid_t)strtol(optarg, &end, 10);
			if (errno || *end || pid <= 0) {
				fprintf(stderr, "%s: bad pid %s\n", prog, optarg);
				return 2;
			}
			break;
		case 'o':
			out = fopen(optarg, "we");
			if (!out) {
				fprintf(stderr, "%s: %s: %s\n", prog, optarg,
					strerror(errno));
				return 1;
			}
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!!pid == (optind < argc)) {	/* one of -p and a command */
		usage(stderr);
		return 2;
	}
	if (pid) {
		int err = threads_of(pid, pids, sizeof(pids));

		if (err) {
			fprintf(stderr, "%s: no process %d: %s\n", prog,
				(int)pid, strerror(-err));
			return 1;
		}
	}
	if (tracefs_ready())
		return 1;
	if (!pid) {
		/* the command waits until its pid is followed */
		if (pipe2(go, O_CLOEXEC))
			return 1;
		child = fork();
		if (child < 0) {
			fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
			return 1;
		}
		if (!child) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(127);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "%s: %s: %s\n", prog, argv[optind],
				strerror(errno));
			_exit(127);
		}
		close(go[0]);
		snprintf(pids, sizeof(pids), "%d", (int)child);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (inst_create(pids)) {
		if (child > 0) {
			close(go[1]);	/* the child exits without running */
			waitpid(child, NULL, 0);
		}
		return 1;
	}
	if (pid)
		fprintf(stderr, "%s: tracing the chains of process %d; "
			"interrupt to end\n", prog, (int)pid);
	if (child > 0) {
		if (write(go[1], "", 1) != 1)
			stop = 1;
		close(go[1]);
	}
	if (!pump(out, child, &status))
		ret = 0;
	inst_remove();
	if (out != stdout)
		fclose(out);
	if (child > 0 && !ret) {
		/* the command's own exit status, as strace gives it */
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		return 128 + WTERMSIG(status);
	}
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("syschain %s\n", SYSCHAIN_TOOL_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "probe") && argc == 2)
		return cmd_probe();
	if (!strcmp(argv[1], "trace"))
		return cmd_trace(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
