// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * syschain-bench: time batches of N ops for each workload and mode and
 * print the raw timings (plus the machine's description) as one JSON
 * document between @@BENCH-JSON-BEGIN@@ / @@BENCH-JSON-END@@ lines.
 * bench/report.py fits time(N) = a + b*N and renders tables and plots.
 *
 * Modes:
 *   loop        hand-written plain syscalls (the baseline)
 *   chain       libchain, CHAIN_BACKEND_KERNEL, one-shot: one SYSCHAIN_RUN
 *               per batch (chain_set_register(c, false))
 *   chain-reg   the same chain registered (libchain registers it on its
 *               second run): one SYSCHAIN_EXEC per batch, patches where the
 *               workload changes arguments between runs
 *   chain-user  libchain, CHAIN_BACKEND_USER: the layer's own overhead
 *   chain-fixed chain-reg's chain with the data buffer registered
 *               (chain_register_buffers()) and the data ops chain_fixed()
 *               (pread-cached and copy only)
 *   chain-kbuf  chain-fixed's chain with the buffer registered
 *               CHAIN_BUF_KERNEL: the chain's kernel memory stands for it
 *               (copy only)
 *   uring       liburing, N linked SQEs, one io_uring_submit_and_wait
 *
 * A mode that cannot run a workload is reported, never replaced: the chain
 * mode checks chain_kernel_supports() for every op, each run's return and
 * chain_report()->backend; a workload io_uring cannot express says why.
 *
 * Timing: CLOCK_MONOTONIC around `reps` consecutive batches (reps =
 * ceil(min_ops / N), so short batches are not dominated by the clock),
 * divided by reps. Per N: one untimed warm-up round, then `trials` rounds,
 * modes interleaved within each round; min and median are kept.
 *
 * This file is the driver: options, the workload table (each workload is
 * defined in its family's wl_*.c file) and the JSON document; bench.h
 * says where the rest is.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

const char *const mode_names[NMODES] = {
	"loop", "chain", "chain-reg", "chain-user", "chain-fixed", "chain-kbuf",
	"uring", "uring-nobuf", "uring-plain"
};

/* The workloads, in the order they run and are reported. */
static const struct workload *const workloads[] = {
	&wl_null,
	&wl_fixed,
	&wl_read_zero,
	&wl_pread_cached,
	&wl_readfile,
	&wl_statwalk,
	&wl_copy,
	&wl_echo,
	&wl_negative,
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

bool kernel_present;
char kernel_absent_why[96];

/* ---------------------------------------------------------------- options */
int opt_n[32], opt_nn;
int opt_trials = 7;
int opt_min_ops = 64;
int opt_copy_mb = 64;
int opt_copy_trials = 5;
bool opt_mode[NMODES] = { true, true, true, true, true, true, true, true, true };
static const char *opt_workloads;	/* NULL: all */
const char *opt_dir = "/tmp/syschain-bench";
static const char *opt_setup = "";
bool opt_verbose;
bool opt_syscalls;

static bool wanted(const char *name)
{
	const char *s = opt_workloads;
	size_t len = strlen(name);

	if (!s)
		return true;
	while (*s) {
		if (!strncmp(s, name, len) && (s[len] == ',' || !s[len]))
			return true;
		s = strchr(s, ',');
		if (!s)
			break;
		s++;
	}
	return false;
}

static void parse_n(const char *s)
{
	opt_nn = 0;
	while (*s && opt_nn < 32) {
		long v = strtol(s, (char **)&s, 10);

		if (v < 1 || v > MAXN)
			die("N values must be within 1..%d", MAXN);
		opt_n[opt_nn++] = (int)v;
		if (*s == ',')
			s++;
		else if (*s)
			die("bad N list");
	}
}

static void usage(void)
{
	unsigned int i;

	fprintf(stderr,
		"usage: syschain-bench [--workloads LIST] [--modes LIST] [--n LIST]\n"
		"         [--trials T] [--min-ops K] [--copy-mb MB] [--copy-trials T]\n"
		"         [--dir DIR] [--setup NAME] [--syscalls] [-v]\n"
		"workloads:");
	for (i = 0; i < NWORKLOADS; i++)
		fprintf(stderr, " %s", workloads[i]->name);
	fprintf(stderr, "\nmodes: loop chain chain-reg chain-user chain-fixed chain-kbuf uring\n"
		"       uring-nobuf uring-plain\n"
		"--syscalls: count each mode's syscalls per batch (tracefs, root)\n");
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "workloads", 1, 0, 'w' }, { "modes", 1, 0, 'm' },
		{ "n", 1, 0, 'n' }, { "trials", 1, 0, 't' },
		{ "min-ops", 1, 0, 'k' }, { "copy-mb", 1, 0, 'c' },
		{ "copy-trials", 1, 0, 'C' }, { "dir", 1, 0, 'd' },
		{ "setup", 1, 0, 's' }, { "verbose", 0, 0, 'v' },
		{ "syscalls", 0, 0, 'S' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	int o, m;

	parse_n("1,2,4,8,16,32,64,128,256,512,1024");
	while ((o = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (o) {
		case 'w': opt_workloads = optarg; break;
		case 'm':
			for (m = 0; m < NMODES; m++) {
				const char *s = strstr(optarg, mode_names[m]);

				/* "chain" must not match "chain-user" */
				while (s && s[strlen(mode_names[m])] == '-')
					s = strstr(s + 1, mode_names[m]);
				opt_mode[m] = s != NULL;
			}
			break;
		case 'n': parse_n(optarg); break;
		case 't': opt_trials = atoi(optarg); break;
		case 'k': opt_min_ops = atoi(optarg); break;
		case 'c': opt_copy_mb = atoi(optarg); break;
		case 'C': opt_copy_trials = atoi(optarg); break;
		case 'd': opt_dir = optarg; break;
		case 's': opt_setup = optarg; break;
		case 'v': opt_verbose = true; break;
		case 'S': opt_syscalls = true; break;
		case 'h': usage(); exit(0);
		default: usage(); exit(2);
		}
	}
	if (opt_trials < 1 || opt_trials > MAXTRIALS || opt_copy_trials < 1 ||
	    opt_copy_trials > MAXTRIALS || opt_min_ops < 1 || opt_copy_mb < 1)
		die("bad --trials/--copy-trials/--min-ops/--copy-mb");
}

/* Measure one workload (results checked, see check.h), print its JSON. */
static int workload(FILE *f, const struct workload *w, bool first)
{
	const char *ops[4] = { "?", "?", "?", "?" };
	uint64_t t0 = now_ns();
	int i, failed;

	fputs(first ? "" : ",", f);
	fputs("{\"name\":", f);
	json_str(f, w->name);
	fputs(",\"what\":", f);
	json_str(f, w->what);
	fputs(",\"ops\":[", f);
	for (i = 0; i < w->nnrs; i++) {
		fputs(i ? "," : "", f);
		json_str(f, sys_name(w->nrs[i]));
		ops[i] = sys_name(w->nrs[i]) ? sys_name(w->nrs[i]) : "?";
	}
	fputs("]", f);
	check_begin(w->name, ops, w->ops_per_item);
	failed = (w->measure ? w->measure : sweep_measure)(f, w);
	check_end();
	/* every flushed piece ends a line: stderr notes never split one */
	fprintf(f, "],\"elapsed_s\":%.2f}\n", (double)(now_ns() - t0) / 1e9);
	fflush(f);
	note("%s done in %.1f s", w->name, (double)(now_ns() - t0) / 1e9);
	return failed;
}

int main(int argc, char **argv)
{
	struct chain_probe probe;
	FILE *f = stdout;
	unsigned int wi;
	int ret, failed = 0;
	bool first = true;
	time_t now = time(NULL);
	char stamp[64];

	parse_args(argc, argv);
	/* the benchmark picks its backends itself, per mode */
	unsetenv("SYSCHAIN_BACKEND");
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = chain_probe(&probe);
	kernel_present = ret == 0;
	if (ret)
		snprintf(kernel_absent_why, sizeof(kernel_absent_why), "%s",
			 strerror(-ret));

	fixtures();
	uring_init();
	if (opt_syscalls)
		syscount_init();
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	printf("@@BENCH-JSON-BEGIN@@\n");
	fputs("{\"schema\":\"syschain-bench-raw/1\",\"setup\":", f);
	json_str(f, opt_setup);
	fputs(",\"started\":", f);
	json_str(f, stamp);
	fprintf(f, ",\"trials\":%d,\"min_ops\":%d,\"copy_trials\":%d,\"copy_bytes\":%zu,",
		opt_trials, opt_min_ops, opt_copy_trials, big_size);
	fprintf(f, "\"check\":{\"first\":%d,\"every\":%d},", CHECK_FIRST, CHECK_EVERY);
	env_json(f);
	fputs(",\"workloads\":[\n", f);
	fflush(f);

	for (wi = 0; wi < NWORKLOADS; wi++) {
		if (!wanted(workloads[wi]->name))
			continue;
		failed += workload(f, workloads[wi], first);
		first = false;
	}
	fputs("]}\n", f);
	printf("@@BENCH-JSON-END@@\n");
	fflush(f);
	if (ring_ok)
		io_uring_queue_exit(&ring);
	if (opt_syscalls)
		syscount_end();
	if (failed)
		note("%d mode(s) failed (see \"failed\" above): exit 1", failed);
	if (syscount_failed)
		note("%d mode(s) made other syscalls than the chain's ops (SYSCALLS MISMATCH above): exit 1",
		     syscount_failed);
	return failed || syscount_failed ? 1 : 0;
}
