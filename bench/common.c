// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * common.c: syschain-bench's messages, JSON strings, fixtures (the files,
 * descriptors and buffers every workload uses) and syscall names.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "bench.h"

/* ------------------------------------------------------------- utilities */
static void vnote(const char *fmt, va_list ap)
{
	fputs("syschain-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
	exit(2);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The minimum and median of k samples. */
void min_median(const double *samples, int k, uint64_t *min,
		       uint64_t *med)
{
	uint64_t v[MAXTRIALS];
	int i;

	for (i = 0; i < k; i++)
		v[i] = (uint64_t)(samples[i] + 0.5);
	qsort(v, (size_t)k, sizeof(v[0]), cmp_u64);
	*min = v[0];
	*med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/* Every op of module/oplist.h by its syscall number. */
const char *sys_name(long nr)
{
	switch (nr) {
#define SC_OP(name, nargs, check, ...) case __NR_##name: return #name;
#include "oplist.h"
#undef SC_OP
	default: return NULL;
	}
}

static void *xalloc(size_t n)
{
	void *p = aligned_alloc(4096, (n + 4095) & ~(size_t)4095);

	if (!p)
		die("out of memory");
	memset(p, 0, n);
	return p;
}

static void write_file(const char *path, size_t size, unsigned int seed)
{
	char *buf = xalloc(COPY_BLOCK);
	size_t done = 0, i;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("create %s: %s", path, strerror(errno));
	for (i = 0; i < COPY_BLOCK; i++)
		buf[i] = (char)(seed + i * 131);
	while (done < size) {
		size_t n = size - done < COPY_BLOCK ? size - done : COPY_BLOCK;

		if (write(fd, buf, n) != (ssize_t)n)
			die("write %s: %s", path, strerror(errno));
		done += n;
	}
	close(fd);
	free(buf);
}

/* ------------------------------------------------------------ fixtures */
char *buf_small, *buf_big;
int fd_zero = -1, fd_big = -1, dirfd_files = -1;
int sock[2] = { -1, -1 };
char path_big[256], path_copy_out[256];
char path_files[MAXN][512];
char name_files[MAXN][16];
uint64_t pread_off[MAXN];
struct stat st_sink;
struct statx stx_sink;
char echo_msg[ECHO_SIZE];
size_t big_size;

void fixtures(void)
{
	struct check_fix fix;
	char d[256];
	int i;

	mkdir(opt_dir, 0755);
	snprintf(d, sizeof(d), "%s/files", opt_dir);
	mkdir(d, 0755);
	big_size = (size_t)opt_copy_mb << 20;
	if (big_size < 8 * (size_t)BIG_READ)
		big_size = 8 * (size_t)BIG_READ;
	snprintf(path_big, sizeof(path_big), "%s/big", opt_dir);
	snprintf(path_copy_out, sizeof(path_copy_out), "%s/copy-out", opt_dir);
	write_file(path_big, big_size, 7);
	for (i = 0; i < MAXN; i++) {
		snprintf(name_files[i], sizeof(name_files[i]), "f%04d", i);
		snprintf(path_files[i], sizeof(path_files[i]), "%.200s/%.15s", d,
			 name_files[i]);
		write_file(path_files[i], SMALL_SIZE, (unsigned int)i);
	}
	/* random page-aligned offsets within the big file, fixed seed */
	srandom(12345);
	for (i = 0; i < MAXN; i++)
		pread_off[i] = ((uint64_t)random() % (big_size / PREAD_SIZE)) *
			       PREAD_SIZE;
	buf_small = xalloc(COPY_BLOCK);
	buf_big = xalloc(BIG_READ);
	fd_zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	fd_big = open(path_big, O_RDONLY | O_CLOEXEC);
	dirfd_files = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_zero < 0 || fd_big < 0 || dirfd_files < 0)
		die("open fixtures: %s", strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock))
		die("socketpair: %s", strerror(errno));
	memset(echo_msg, 'e', sizeof(echo_msg));
	/* everything page-cached: read it all once */
	for (;;) {
		ssize_t r = read(fd_big, buf_big, BIG_READ);

		if (r <= 0)
			break;
	}
	fix = (struct check_fix){
		.buf_small = buf_small, .buf_big = buf_big,
		.st_sink = &st_sink, .stx_sink = &stx_sink,
		.fd_zero = fd_zero, .fd_big = fd_big, .dirfd_files = dirfd_files,
		.sock = { sock[0], sock[1] },
		.path_files = (const char (*)[512])path_files,
		.name_files = (const char (*)[16])name_files,
		.pread_off = pread_off, .neg_off = neg_off, .echo_msg = echo_msg,
		.path_big = path_big, .path_copy_out = path_copy_out,
		.big_size = big_size,
	};
	check_init(&fix, mode_names, NMODES);
}
