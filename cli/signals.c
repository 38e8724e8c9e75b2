/* SPDX-License-Identifier: MIT */
/*
 * Signals of the long commands: SIGINT, SIGTERM and SIGHUP stop a run
 * within one simulated event (the engine reads cli_attention after every
 * event), a SIGALRM timer paces the progress lines by wall time, and
 * SIGXFSZ is ignored so that a file size limit shows as an EFBIG error.
 */
#include "run_internal.h"

#include <string.h>
#include <sys/time.h>
#include <time.h>

/* The two mutable statics a signal handler needs: it has nowhere else to
 * write. */
volatile sig_atomic_t cli_attention;
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
	cli_attention = 1;
}

static void on_alarm(int sig)
{
	(void)sig;
	cli_attention = 1;
}

void cli_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sa.sa_flags = 0; /* no SA_RESTART: waitpid must wake up */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART; /* a tick must not fail a system call */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGXFSZ, &sa, NULL);
}

int cli_stop_signal(void)
{
	return stop_signal;
}

const volatile sig_atomic_t *cli_stop_flag(void)
{
	return &stop_signal;
}

int cli_interrupted_status(void)
{
	return stop_signal ? 128 + stop_signal : CLI_INTERRUPTED;
}

bool cli_attention_take(void)
{
	if (!cli_attention)
		return false;
	cli_attention = 0;
	return true;
}

void cli_progress_timer(double interval_s)
{
	struct itimerval it;
	memset(&it, 0, sizeof it);
	if (interval_s > 0) {
		it.it_interval.tv_sec = (time_t)interval_s;
		it.it_interval.tv_usec =
			(suseconds_t)((interval_s - (double)(time_t)interval_s) * 1e6);
		it.it_value = it.it_interval;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

double cli_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
