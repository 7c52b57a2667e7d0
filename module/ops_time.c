// SPDX-License-Identifier: GPL-2.0-only
/*
 * Time ops: clock_gettime() and clock_getres() as
 * kernel/time/posix-timers.c serves them, and
 * nanosleep()/clock_nanosleep() as kernel/time/hrtimer.c sleeps, time
 * namespaces included; gettimeofday() as kernel/time/time.c answers it.
 *
 * The clocks served are the ones whose syscall path is built from
 * exported helpers or header inlines: REALTIME, MONOTONIC, MONOTONIC_RAW,
 * REALTIME_COARSE, MONOTONIC_COARSE, BOOTTIME, TAI and, for
 * clock_gettime() and clock_getres() only, the two ALARM clocks. The CPU-time clocks
 * (PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID and the negative ids of other
 * processes' and threads' CPU clocks and of posix clock devices such as
 * PTP) go through posix-cpu-timers.c and posix-clock.c, which export none
 * of their pieces (task_sched_runtime(), thread_group_cputime(),
 * posix_clock fd lookups), and the ALARM clocks sleep on alarmtimer.c's
 * unexported alarm_timer_nsleep(): those ids are rejected at validation
 * with -EOPNOTSUPP, which needs the clock id to be a constant argument.
 * Ids that name no clock at all get -EINVAL at run time, like the syscall.
 */
#include <linux/alarmtimer.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/time.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "ops.h"

/*
 * get_timespec64() in the native layout: that helper clears the upper half
 * of tv_nsec when the caller is a 32-bit task (its compat syscalls pass a
 * 32-bit long there), but ops take native layouts whatever the caller, and
 * the native syscall rejects such a tv_nsec with -EINVAL.
 */
static int sc_get_timespec64(struct timespec64 *ts,
			     const struct __kernel_timespec __user *uts)
{
	struct __kernel_timespec kts;

	if (copy_from_user(&kts, uts, sizeof(kts)))
		return -EFAULT;
	ts->tv_sec = kts.tv_sec;
	ts->tv_nsec = kts.tv_nsec;
	return 0;
}

/* what the kernel executor can do with a clock id */
enum sc_clock_kind {
	SC_CLOCK_NONE,		/* no such clock: -EINVAL, as the syscall */
	SC_CLOCK_SERVED,	/* run the syscall's path */
	SC_CLOCK_REFUSED,	/* a real clock this module cannot run */
};

/* posix_clocks[] and clockid_to_kclock() of posix-timers.c */
static enum sc_clock_kind sc_clock_kind(clockid_t id, bool sleep)
{
	if (id < 0)
		return SC_CLOCK_REFUSED;	/* CPU clocks, posix clock fds */
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return SC_CLOCK_SERVED;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return sleep ? SC_CLOCK_REFUSED : SC_CLOCK_SERVED;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return SC_CLOCK_REFUSED;
	default:
		return SC_CLOCK_NONE;	/* 10 (SGI_CYCLE, gone), 12 and up */
	}
}

static int sc_check_clock(const struct syschain_op *op, bool sleep)
{
	if (op->ref_mask & 1)
		return -EOPNOTSUPP;
	if (sc_clock_kind((clockid_t)op->args[0], sleep) == SC_CLOCK_REFUSED)
		return -EOPNOTSUPP;
	return 0;
}

int sc_check_clock_gettime(const struct syschain_op *op)
{
	return sc_check_clock(op, false);
}

int sc_check_clock_nanosleep(const struct syschain_op *op)
{
	return sc_check_clock(op, true);
}

/* the clock_get_timespec() of each served clock */
static int sc_clock_get(clockid_t id, struct timespec64 *tp)
{
	switch (id) {
	case CLOCK_REALTIME:
		ktime_get_real_ts64(tp);
		return 0;
	case CLOCK_MONOTONIC:
		ktime_get_ts64(tp);
		timens_add_monotonic(tp);
		return 0;
	case CLOCK_MONOTONIC_RAW:
		ktime_get_raw_ts64(tp);
		timens_add_monotonic(tp);
		return 0;
	case CLOCK_REALTIME_COARSE:
		ktime_get_coarse_real_ts64(tp);
		return 0;
	case CLOCK_MONOTONIC_COARSE:
		ktime_get_coarse_ts64(tp);
		timens_add_monotonic(tp);
		return 0;
	case CLOCK_BOOTTIME:
		ktime_get_boottime_ts64(tp);
		timens_add_boottime(tp);
		return 0;
	case CLOCK_TAI:
		ktime_get_clocktai_ts64(tp);
		return 0;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		/* alarm_clock_get_timespec() */
		if (!alarmtimer_get_rtcdev())
			return -EINVAL;
		if (id == CLOCK_REALTIME_ALARM) {
			ktime_get_real_ts64(tp);
		} else {
			ktime_get_boottime_ts64(tp);
			timens_add_boottime(tp);
		}
		return 0;
	}
	return -EINVAL;
}

/* clock_gettime(clockid_t which_clock, struct __kernel_timespec __user *tp) */
__s64 sc_op_clock_gettime(const __u64 *args, struct sc_exec *x)
{
	clockid_t id = (clockid_t)args[0];
	struct timespec64 kernel_tp;
	int error;

	if (sc_clock_kind(id, false) != SC_CLOCK_SERVED)
		return -EINVAL;	/* refused ids never get here */
	error = sc_clock_get(id, &kernel_tp);
	if (!error && put_timespec64(&kernel_tp, u64_to_user_ptr(args[1])))
		error = -EFAULT;
	return error;
}

/*
 * The clock_getres() of each served clock: posix_get_hrtimer_res(),
 * posix_get_coarse_res() and alarm_clock_getres() of kernel/time
 */
static int sc_clock_res(clockid_t id, struct timespec64 *tp)
{
	switch (id) {
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		*tp = ktime_to_timespec64(KTIME_LOW_RES);
		return 0;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		if (!alarmtimer_get_rtcdev())
			return -EINVAL;
		break;
	}
	tp->tv_sec = 0;
	tp->tv_nsec = hrtimer_resolution;
	return 0;
}

/*
 * clock_getres(clockid_t which_clock, struct __kernel_timespec __user *tp):
 * the resolution, stored unless @tp is NULL
 */
__s64 sc_op_clock_getres(const __u64 *args, struct sc_exec *x)
{
	struct __kernel_timespec __user *tp = u64_to_user_ptr(args[1]);
	clockid_t id = (clockid_t)args[0];
	struct timespec64 rtn_tp;
	int error;

	if (sc_clock_kind(id, false) != SC_CLOCK_SERVED)
		return -EINVAL;	/* refused ids never get here */
	error = sc_clock_res(id, &rtn_tp);
	if (!error && tp && put_timespec64(&rtn_tp, tp))
		error = -EFAULT;
	return error;
}

int sc_check_clock_getres(const struct syschain_op *op)
{
	return sc_check_clock(op, false);
}

/*
 * do_nanosleep(): sleep interruptibly (and freezable) until the timer
 * fires or a signal is pending. Interrupted, it writes the time left to
 * @rmtp if there is one (-EFAULT if it cannot), and returns
 * -ERESTART_RESTARTBLOCK (the engine reports -EINTR); or 0 if no time is
 * left.
 */
static int sc_do_nanosleep(struct hrtimer_sleeper *t, enum hrtimer_mode mode,
			   struct __kernel_timespec __user *rmtp)
{
	do {
		set_current_state(TASK_INTERRUPTIBLE | TASK_FREEZABLE);
		hrtimer_sleeper_start_expires(t, mode);

		if (likely(t->task))
			schedule();

		hrtimer_cancel(&t->timer);
		mode = HRTIMER_MODE_ABS;

	} while (t->task && !signal_pending(current));

	__set_current_state(TASK_RUNNING);

	if (!t->task)
		return 0;

	if (rmtp) {
		ktime_t rem = hrtimer_expires_remaining(&t->timer);
		struct timespec64 rmt;

		if (rem <= 0)
			return 0;
		rmt = ktime_to_timespec64(rem);
		/* nanosleep_copyout(), TT_NATIVE */
		if (put_timespec64(&rmt, rmtp))
			return -EFAULT;
	}
	return -ERESTART_RESTARTBLOCK;
}

/*
 * hrtimer_nanosleep(), with the chain's own restart: an interrupted
 * relative sleep returns -ERESTART_RESTARTBLOCK with its end in
 * @x->slept_until (the ioctl hands it back in the run struct's
 * resume_expiry, and a resumed run sleeps to it, as the restart block of
 * the syscall does); an absolute one returns -ERESTARTNOHAND, restarted
 * as it is. Either becomes -EINTR where a handler without SA_RESTART runs.
 */
static long sc_hrtimer_nanosleep(ktime_t rqtp, enum hrtimer_mode mode,
				 clockid_t clockid,
				 struct __kernel_timespec __user *rmtp,
				 struct sc_exec *x)
{
	bool relative = mode == HRTIMER_MODE_REL;
	ktime_t until = x->sleep_until;
	struct hrtimer_sleeper t;
	int ret;

	/*
	 * The syscall restarts a relative sleep that a signal interrupted as
	 * a sleep to the same end (hrtimer_nanosleep_restart(), from the
	 * restart block); a resumed chain does the same with the end that
	 * it was given back (struct syschain_run's resume_expiry).
	 */
	x->sleep_until = 0;	/* for the first op of a resumed run only */
	if (relative && until) {
		mode = HRTIMER_MODE_ABS;
		hrtimer_init_sleeper_on_stack(&t, clockid, mode);
		hrtimer_set_expires(&t.timer, until);
	} else {
		hrtimer_init_sleeper_on_stack(&t, clockid, mode);
		hrtimer_set_expires_range_ns(&t.timer, rqtp,
					     current->timer_slack_ns);
	}
	ret = sc_do_nanosleep(&t, mode, rmtp);
	if (ret == -ERESTART_RESTARTBLOCK) {
		if (!relative)
			ret = -ERESTARTNOHAND;	/* absolute: plain restart */
		else
			x->slept_until = hrtimer_get_expires(&t.timer);
	}
	destroy_hrtimer_on_stack(&t.timer);
	return ret;
}

/*
 * nanosleep(struct __kernel_timespec __user *rqtp,
 *	     struct __kernel_timespec __user *rmtp)
 */
__s64 sc_op_nanosleep(const __u64 *args, struct sc_exec *x)
{
	struct timespec64 tu;

	if (sc_get_timespec64(&tu, u64_to_user_ptr(args[0])))
		return -EFAULT;
	if (!timespec64_valid(&tu))
		return -EINVAL;
	return sc_hrtimer_nanosleep(timespec64_to_ktime(tu), HRTIMER_MODE_REL,
				    CLOCK_MONOTONIC, u64_to_user_ptr(args[1]), x);
}

/*
 * do_timens_ktime_to_host() (timens_ktime_to_host() tests for init_time_ns,
 * which is not exported; its offsets are zero, and an absolute time from a
 * valid timespec is never negative, so applying them is the same).
 */
static ktime_t sc_timens_ktime_to_host(clockid_t clockid, ktime_t tim)
{
	struct timens_offsets *ns_offsets = &current->nsproxy->time_ns->offsets;
	ktime_t offset;

	switch (clockid) {
	case CLOCK_MONOTONIC:
		offset = timespec64_to_ktime(ns_offsets->monotonic);
		break;
	case CLOCK_BOOTTIME:
		offset = timespec64_to_ktime(ns_offsets->boottime);
		break;
	default:
		return tim;
	}
	if (tim < offset) {
		tim = 0;
	} else {
		tim = ktime_sub(tim, offset);
		if (unlikely(tim > KTIME_MAX))
			tim = KTIME_MAX;
	}
	return tim;
}

/*
 * clock_nanosleep(clockid_t which_clock, int flags,
 *		   const struct __kernel_timespec __user *rqtp,
 *		   struct __kernel_timespec __user *rmtp)
 */
__s64 sc_op_clock_nanosleep(const __u64 *args, struct sc_exec *x)
{
	clockid_t id = (clockid_t)args[0];
	int flags = (int)args[1];
	struct __kernel_timespec __user *rmtp = u64_to_user_ptr(args[3]);
	struct timespec64 t;
	ktime_t texp;

	if (sc_clock_kind(id, true) != SC_CLOCK_SERVED)
		return -EINVAL;	/* refused ids never get here */
	/* the clocks without ->nsleep */
	if (id == CLOCK_MONOTONIC_RAW || id == CLOCK_REALTIME_COARSE ||
	    id == CLOCK_MONOTONIC_COARSE)
		return -EOPNOTSUPP;

	if (sc_get_timespec64(&t, u64_to_user_ptr(args[2])))
		return -EFAULT;
	if (!timespec64_valid(&t))
		return -EINVAL;
	if (flags & TIMER_ABSTIME)
		rmtp = NULL;

	/* common_nsleep(), common_nsleep_timens() for MONOTONIC, BOOTTIME */
	texp = timespec64_to_ktime(t);
	if (flags & TIMER_ABSTIME)
		texp = sc_timens_ktime_to_host(id, texp);
	return sc_hrtimer_nanosleep(texp, flags & TIMER_ABSTIME ?
				    HRTIMER_MODE_ABS : HRTIMER_MODE_REL,
				    id, rmtp, x);
}

/*
 * gettimeofday(struct __kernel_old_timeval __user *tv,
 *		struct timezone __user *tz): kernel/time/time.c's, field by
 * field, so that a fault on tv_usec leaves tv_sec stored as there
 */
__s64 sc_op_gettimeofday(const __u64 *args, struct sc_exec *x)
{
	struct __kernel_old_timeval __user *tv = u64_to_user_ptr(args[0]);
	struct timezone __user *tz = u64_to_user_ptr(args[1]);

	if (likely(tv)) {
		struct timespec64 ts;

		ktime_get_real_ts64(&ts);
		if (put_user(ts.tv_sec, &tv->tv_sec) ||
		    put_user(ts.tv_nsec / 1000, &tv->tv_usec))
			return -EFAULT;
	}
	if (unlikely(tz) && copy_to_user(tz, &sys_tz, sizeof(sys_tz)))
		return -EFAULT;
	return 0;
}
