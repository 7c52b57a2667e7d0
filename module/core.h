/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the device (main.c) and registered chains (registered.c) share:
 * the ioctl dispatcher, copying chains in, and the executor.
 */
#ifndef SYSCHAIN_CORE_H
#define SYSCHAIN_CORE_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/types.h>
#include "engine.h"

/*
 * An ioctl as its handler sees it: the command's struct, read by the
 * dispatcher (sc_dispatch()), and where it came from.
 */
struct sc_ucmd {
	void *priv;		/* the descriptor's private data */
	void __user *ubuffer;
	u32 user_size;		/* the caller's struct size */
	u32 switches;		/* sc_permitted()'s generation */
	void *cmd;
};

/* Where a chain to copy in is, as the caller's struct says. */
struct sc_chain_src {
	u32 nr_ops;
	u32 nr_conds;
	u32 op_size;
	u32 cond_size;
	u64 ops_uptr;
	u64 conds_uptr;
};

/* main.c */
extern atomic_long_t sc_chains_in_flight;
extern atomic_long_t sc_chains_total;

long sc_dispatch(void *priv, bool on_chain, unsigned int cmd,
		 unsigned long arg);
int sc_copy_struct(void *dst, size_t ksize, size_t minsize,
		   void __user *uarg, u32 *usize);
int sc_copy_array(void *dst, size_t ksize, u64 uptr, u32 usize, u32 n,
		  u32 *bad);
int sc_get_words(void *dst, const void __user *src, size_t len);

/* results to write back with the report: @len bytes, a multiple of 8 */
struct sc_results_out {
	void __user *dst;
	const void *src;
	size_t len;
};

int sc_put_outcome(void __user *uarg, u32 usize, size_t steps_off, u32 flags,
		   struct sc_report *rep, u64 expiry,
		   const struct sc_results_out *res);
long sc_check_src(const struct sc_chain_src *src);
long sc_load_chain(const struct sc_chain_src *src, struct sc_chain *chain,
		   struct sc_report *rep, void **bufp);
void sc_free_chain(void *buf);
long sc_resume_chain(struct sc_chain *chain, u64 results_uptr, u64 expiry);
long sc_restart_code(int restart);
u64 sc_steps_cap(u64 asked);
const struct sc_env *sc_run_env(void);

/* registered.c */
long sc_ioctl_register(struct sc_ucmd *ucmd);
long sc_ioctl_exec(struct sc_ucmd *ucmd);
bool sc_is_chain_file(const struct file *file);

#endif /* SYSCHAIN_CORE_H */
