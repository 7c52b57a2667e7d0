// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The syschain command (syschain(1)), as installed in the guest at
 * /syschain/bin/syschain: probe says what chain_probe() and the module's
 * parameters say; trace shows each op of the chains a command or a
 * process runs, with the op's arguments and result, and the chain's end;
 * bad usage gives exit status 2, a missing process 1.
 *
 * The traced program is this binary run again as "child": it runs two
 * chains on the kernel backend (a file opened, read and closed; a
 * missing file opened) and prints its pid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <libchain.h>
#include "guest.h"

#define TOOL "/syschain/bin/syschain"
#define FILE_OK "/tmp/tool-file"
#define FILE_MISSING "/tmp/tool-missing"

static char out[65536];

/*
 * Run the tool with @argv (argv[0] is TOOL), its stdout and stderr into
 * out[]. Return its exit status (128 + signal if killed).
 */
static int run_tool(char *const argv[])
{
	int p[2], status;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(TOOL, argv);
		_exit(126);
	}
	close(p[1]);
	while ((n = read(p[0], out + used, sizeof(out) - 1 - used)) > 0)
		used += (size_t)n;
	close(p[0]);
	out[used] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_probe(void **state)
{
	static struct chain_probe p;
	long before, after, total, inflight;
	char want[128];
	const char *s;

	(void)state;
	assert_int_equal(chain_probe(&p), 0);
	before = g_module_counter("chains_total");
	assert_int_equal(run_tool((char *[]){ TOOL, "probe", NULL }), 0);
	after = g_module_counter("chains_total");
	snprintf(want, sizeof(want), "ABI %u, /dev/syschain\n", p.abi_version);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "limits: max_ops %u, max_conds %u, "
		 "max_steps %llu\n", p.max_ops, p.max_conds,
		 (unsigned long long)p.max_steps);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "switches: disabled %ld, group %ld, "
		 "allow_seccomp N\n", g_module_counter("disabled"),
		 g_module_counter("group"));
	assert_non_null(strstr(out, want));
	s = strstr(out, "counters: chains_in_flight ");
	assert_non_null(s);
	assert_int_equal(sscanf(s, "counters: chains_in_flight %ld, "
				"chains_total %ld", &inflight, &total), 2);
	assert_true(total >= before && total <= after);
	assert_true(inflight >= 0);
	snprintf(want, sizeof(want), "ops (%u): ", p.nr_syscalls);
	s = strstr(out, want);
	assert_non_null(s);
	/* every op by name, in the probe's order */
	for (unsigned int i = 0; i < p.nr_syscalls; i++) {
		const char *name = chain_op_name(p.syscalls[i]);
		size_t len;

		assert_non_null(name);
		len = strlen(name);
		s = strstr(s, name);
		assert_non_null(s);
		assert_true(s[-1] == ' ' && (s[len] == ' ' || s[len] == '\n'));
		s += len;
	}
}

/* The line of op @idx of @pid that starts with @call, or NULL. */
static const char *op_line(int pid, unsigned int idx, const char *call)
{
	char want[640];
	const char *s;

	snprintf(want, sizeof(want), "[pid %5d] op %-3u %s", pid, idx, call);
	s = strstr(out, want);
	return s ? s + strlen(want) : NULL;
}

/*
 * "/tmp/", 145 'x', "/", 149 'x': a missing file whose name is 300 bytes
 * long (each component within NAME_MAX)
 */
static const char *long_name(void)
{
	static char name[301];

	if (!name[0]) {
		memcpy(name, "/tmp/", 5);
		memset(name + 5, 'x', 295);
		name[150] = '/';
	}
	return name;
}

/*
 * What the child's chains show: @pid's three ops, the end, the ENOENT,
 * the long name cut at 255 bytes, the unreadable one as its address.
 */
static void check_child_trace(int pid)
{
	char want[512];
	const char *s;
	int fd;

	s = op_line(pid, 0, "openat(AT_FDCWD, \"" FILE_OK "\", "
		    "O_RDONLY|O_CLOEXEC, 0) = ");
	assert_non_null(s);
	assert_int_equal(sscanf(s, "%d\n", &fd), 1);
	assert_true(fd >= 3);
	snprintf(want, sizeof(want), "read(%d, 0x", fd);
	s = op_line(pid, 1, want);
	assert_non_null(s);
	s = strchr(s, ',');
	assert_non_null(s);
	assert_memory_equal(s, ", 64) = 5\n", 10);
	snprintf(want, sizeof(want), "close(%d) = 0\n", fd);
	assert_non_null(op_line(pid, 2, want));
	snprintf(want, sizeof(want), "[pid %5d] chain of 3 ops: 3 steps, "
		 "completed\n", pid);
	assert_non_null(strstr(out, want));
	assert_non_null(op_line(pid, 0, "openat(AT_FDCWD, \"" FILE_MISSING
				"\", O_RDONLY, 0) = -1 ENOENT (No such file "
				"or directory)\n"));
	snprintf(want, sizeof(want), "[pid %5d] chain of 1 ops: 1 steps, "
		 "failed at op 0\n", pid);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "openat(AT_FDCWD, \"%.255s\"..., "
		 "O_RDONLY, 0) = -1 ENOENT (No such file or directory)\n",
		 long_name());
	assert_non_null(op_line(pid, 0, want));
	assert_non_null(op_line(pid, 1, "openat(AT_FDCWD, 0x8, O_RDONLY, 0) "
				"= -1 EFAULT (Bad address)\n"));
	snprintf(want, sizeof(want), "[pid %5d] chain of 2 ops: 2 steps, "
		 "completed\n", pid);
	assert_non_null(strstr(out, want));
}

static void make_file(void)
{
	int fd = open(FILE_OK, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	unlink(FILE_MISSING);
}

static void test_trace_command(void **state)
{
	char self[256];
	const char *s;
	ssize_t n;
	int pid;

	(void)state;
	make_file();
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	/*
	 * The tool exits with the command's status. The command ends as soon
	 * as its chains have run, most likely before the tool reads their
	 * events: the path names come from the events, not from the gone
	 * process's memory.
	 */
	assert_int_equal(run_tool((char *[]){ TOOL, "trace", "--", self,
					      "child", "3", NULL }), 3);
	s = strstr(out, "child pid ");
	assert_non_null(s);
	assert_int_equal(sscanf(s, "child pid %d", &pid), 1);
	check_child_trace(pid);
}

/* The tool's instance is gone once it has ended. */
static void assert_no_instance(pid_t tool)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path),
		 "/sys/kernel/tracing/instances/syschain-%d", (int)tool);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_trace_pid(void **state)
{
	int go[2], done[2], p[2], status;
	char pidarg[16], want[32], c;
	struct chain *own;
	size_t used = 0;
	pid_t child, tool;
	ssize_t n;

	(void)state;
	make_file();
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		char arg[32];

		close(go[1]);	/* or its wait for the end would never end */
		close(done[0]);
		snprintf(arg, sizeof(arg), "%d:%d", go[0], done[1]);
		execl("/proc/self/exe", "test_tool", "child-wait", arg, NULL);
		_exit(126);
	}
	close(go[0]);
	close(done[1]);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)child);
	assert_int_equal(pipe(p), 0);
	tool = fork();
	assert_true(tool >= 0);
	if (!tool) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execl(TOOL, TOOL, "trace", "-p", pidarg, NULL);
		_exit(126);
	}
	close(p[1]);
	/* tracing is set up once the tool says so */
	while (!strstr(out, "interrupt to end\n")) {
		n = read(p[0], out + used, sizeof(out) - 1 - used);
		assert_true(n > 0);
		used += (size_t)n;
		out[used] = '\0';
	}
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(done[0], &c, 1), 1);	/* chains ran */
	/* a chain of this process, which the tool must not show */
	assert_int_equal(chain_new(&own), 0);
	assert_int_equal(chain_set_backend(own, CHAIN_BACKEND_KERNEL), 0);
	assert_int_equal(chain_getppid(own).op, 0);
	assert_int_equal(chain_run(own), 0);
	assert_int_equal(chain_report(own)->backend, CHAIN_BACKEND_KERNEL);
	chain_free(own);
	assert_int_equal(kill(tool, SIGINT), 0);
	while ((n = read(p[0], out + used, sizeof(out) - 1 - used)) > 0)
		used += (size_t)n;
	out[used] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(tool, &status, 0), tool);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(go[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(done[0]);
	check_child_trace(child);
	snprintf(want, sizeof(want), "[pid %5d]", (int)getpid());
	assert_null(strstr(out, want));
	assert_no_instance(tool);
}

static void test_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(run_tool((char *[]){ TOOL, NULL }), 2);
	assert_non_null(strstr(out, "usage: syschain probe\n"));
	assert_int_equal(run_tool((char *[]){ TOOL, "frobnicate", NULL }), 2);
	assert_int_equal(run_tool((char *[]){ TOOL, "probe", "x", NULL }), 2);
	assert_int_equal(run_tool((char *[]){ TOOL, "trace", NULL }), 2);
	assert_int_equal(run_tool((char *[]){ TOOL, "trace", "-p", "0",
					      NULL }), 2);
	assert_int_equal(run_tool((char *[]){ TOOL, "trace", "-p", "1", "--",
					      "/bin/true", NULL }), 2);
	/* pid_max is at most 4194304 */
	assert_int_equal(run_tool((char *[]){ TOOL, "trace", "-p", "4194305",
					      NULL }), 1);
	assert_non_null(strstr(out, "syschain: no process 4194305: "));
	assert_int_equal(run_tool((char *[]){ TOOL, "trace", "--",
					      "/nonexistent/cmd", NULL }), 127);
	assert_non_null(strstr(out, "/nonexistent/cmd: No such file or "
			       "directory\n"));
	assert_int_equal(run_tool((char *[]){ TOOL, "--version", NULL }), 0);
	assert_memory_equal(out, "syschain ", 9);
}

/* The traced program: two chains on the kernel backend. */
static int child_chains(void)
{
	struct chain *c;
	char buf[64];
	struct chain_handle o;

	if (chain_new(&c) || chain_set_backend(c, CHAIN_BACKEND_KERNEL))
		return 10;
	o = chain_openat(c, AT_FDCWD, FILE_OK, O_RDONLY | O_CLOEXEC, 0);
	chain_read(c, o, buf, sizeof(buf));
	chain_close(c, o);
	if (chain_run(c) || chain_ret(c, 1) != 5 || chain_ret(c, 2))
		return 11;
	chain_reset(c);
	chain_openat(c, AT_FDCWD, FILE_MISSING, O_RDONLY, 0);
	if (chain_run(c) || chain_ret(c, 0) != -ENOENT)
		return 12;
	/* a name the trace cuts at 255 bytes, and one it cannot read */
	chain_reset(c);
	chain_set_stop_on_error(c, false);
	chain_openat(c, AT_FDCWD, long_name(), O_RDONLY, 0);
	chain_openat(c, AT_FDCWD, (const char *)8, O_RDONLY, 0);
	if (chain_run(c) || chain_ret(c, 0) != -ENOENT ||
	    chain_ret(c, 1) != -EFAULT)
		return 13;
	chain_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_trace_command),
		cmocka_unit_test(test_trace_pid),
		cmocka_unit_test(test_usage_errors),
	};

	if (argc == 3 && !strcmp(argv[1], "child")) {
		int ret = child_chains();

		printf("child pid %d\n", (int)getpid());
		return ret ? ret : atoi(argv[2]);
	}
	if (argc == 3 && !strcmp(argv[1], "child-wait")) {
		int go, done, ret;
		char c;

		if (sscanf(argv[2], "%d:%d", &go, &done) != 2 ||
		    read(go, &c, 1) != 1)
			return 20;
		ret = child_chains();
		if (write(done, "d", 1) != 1)
			return 21;
		/* until the test has stopped the tracer */
		while (read(go, &c, 1) > 0)
			;
		return ret;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
