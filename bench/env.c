// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * env.c: the machine syschain-bench runs on, as the "env" member of its
 * JSON: kernel, CPU (and whether page-table isolation is in use), command
 * line, clocksource, CPU vulnerabilities, the module and io_uring.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "bench.h"

static char line[8192];

/* Whether the cpuinfo flags line fl has the word w. */
static int has_flag(const char *fl, const char *w)
{
	size_t len = strlen(w);
	const char *q;

	for (q = strstr(fl, w); q; q = strstr(q + 1, w))
		if ((q == fl || q[-1] == ' ') && (q[len] == ' ' || !q[len]))
			return 1;
	return 0;
}

/* the cpuinfo flags the report looks at: pti, and the fast-string ones */
static const char *const flag_names[] = { "pti", "erms", "fsrm" };
#define NFLAGS 3

/* /proc/cpuinfo: the first model name and vendor, the flags (or -1). */
static void cpuinfo(char *model, size_t mlen, char *vendor, size_t vlen,
		    int flags[NFLAGS])
{
	FILE *ci = fopen("/proc/cpuinfo", "r");
	int i;

	for (i = 0; i < NFLAGS; i++)
		flags[i] = -1;
	while (ci && fgets(line, sizeof(line), ci)) {
		char *p = strchr(line, ':');

		if (!p)
			continue;
		for (p++; *p == ' '; p++)
			;
		p[strcspn(p, "\n")] = 0;
		if (!strncmp(line, "model name", 10) && !model[0])
			snprintf(model, mlen, "%s", p);
		else if (!strncmp(line, "vendor_id", 9) && !vendor[0])
			snprintf(vendor, vlen, "%s", p);
		else if (!strncmp(line, "flags", 5) && flags[0] < 0)
			/* X86_FEATURE_PTI: page table isolation is in use */
			for (i = 0; i < NFLAGS; i++)
				flags[i] = has_flag(p, flag_names[i]);
	}
	if (ci)
		fclose(ci);
}

/* /sys/devices/system/cpu/vulnerabilities/<file>: <content>, ... */
static void vulnerabilities_json(FILE *f)
{
	char path[512];
	struct dirent *de;
	bool first = true;
	DIR *d;

	d = opendir("/sys/devices/system/cpu/vulnerabilities");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s",
			 de->d_name);
		if (!first)
			fputc(',', f);
		first = false;
		json_str(f, de->d_name);
		fputc(':', f);
		json_str(f, read_line(path, line, sizeof(line)));
	}
	if (d)
		closedir(d);
}

/* The module as chain_probe() describes it, its ops by name. */
static void module_json(FILE *f)
{
	struct chain_probe probe;
	unsigned int i;

	if (kernel_present && !chain_probe(&probe)) {
		fprintf(f, "{\"present\":true,\"abi_version\":%u,\"module_version\":\"%u.%u.%u\","
			"\"max_ops\":%u,\"max_conds\":%u,\"max_steps\":%llu,\"syscalls\":[",
			probe.abi_version, probe.module_version >> 16,
			(probe.module_version >> 8) & 0xff, probe.module_version & 0xff,
			probe.max_ops, probe.max_conds,
			(unsigned long long)probe.max_steps);
		for (i = 0; i < probe.nr_syscalls; i++) {
			const char *nm = sys_name(probe.syscalls[i]);

			if (i)
				fputc(',', f);
			if (nm)
				json_str(f, nm);
			else
				fprintf(f, "\"nr%u\"", probe.syscalls[i]);
		}
		fputs("]}", f);
	} else {
		fputs("{\"present\":false,\"why\":", f);
		json_str(f, kernel_absent_why);
		fputc('}', f);
	}
}

void env_json(FILE *f)
{
	struct utsname u;
	char model[256] = "", vendor[64] = "";
	int flags[NFLAGS], i;

	uname(&u);
	cpuinfo(model, sizeof(model), vendor, sizeof(vendor), flags);
	fputs("\"env\":{\"kernel_release\":", f);
	json_str(f, u.release);
	fputs(",\"kernel_version\":", f);
	json_str(f, u.version);
	fputs(",\"machine\":", f);
	json_str(f, u.machine);
	fputs(",\"cpu_model\":", f);
	json_str(f, model);
	fputs(",\"cpu_vendor\":", f);
	json_str(f, vendor);
	for (i = 0; i < NFLAGS; i++)
		fprintf(f, ",\"cpu_flag_%s\":%s", flag_names[i],
			flags[i] > 0 ? "true" : "false");
	fprintf(f, ",\"online_cpus\":%ld", sysconf(_SC_NPROCESSORS_ONLN));
	fputs(",\"cmdline\":", f);
	json_str(f, read_line("/proc/cmdline", line, sizeof(line)));
	fputs(",\"clocksource\":", f);
	json_str(f, read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			      line, sizeof(line)));
	fputs(",\"in_vm_harness\":", f);
	fputs(getenv("SYSCHAIN_VM") ? "true" : "false", f);
	fputs(",\"vulnerabilities\":{", f);
	vulnerabilities_json(f);
	fputs("},\"module\":", f);
	module_json(f);
	fputs(",\"io_uring\":{\"ok\":", f);
	fputs(ring_ok ? "true" : "false", f);
	fprintf(f, ",\"setup_flags\":\"%s%s%s\"",
		ring_flags & IORING_SETUP_SINGLE_ISSUER ? "SINGLE_ISSUER|" : "",
		ring_flags & IORING_SETUP_DEFER_TASKRUN ? "DEFER_TASKRUN" : "",
		ring_flags & IORING_SETUP_COOP_TASKRUN ? "COOP_TASKRUN" : "");
	fputs(",\"error\":", f);
	json_str(f, ring_err);
	fputs("}", f);
	floor_json(f);
	perop_json(f);
	fputs("}", f);
}
