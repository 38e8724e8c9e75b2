/* SPDX-License-Identifier: MIT */
/*
 * util_traces: the cost of trace-driven VMs at datacenter scale. Loads the
 * repository's PlanetLab day (1,052 files), then reads the CPU of N VMs
 * (VM v replays trace v mod 1052, as a large datacenter shares traces)
 * every 10 s over 24 h, by hold and by linear interpolation. Prints load
 * time, bytes held and ns per read. Fails if the hold reads do not sum to
 * exactly 30 times the samples (each 300 s sample is read by 30 intervals
 * of 10 s). Never asserts on time. `--quick` reads 1,000 VMs.
 */
#include "trace.h"
#include "vdcsim_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INTERVAL_NS UINT64_C(10000000000)
#define INTERVALS 8640 /* 24 h of 10 s */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t vms = 100000;
	const char *dir = VDCSIM_SOURCE_DIR "/traces/data/planetlab-20110303";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			vms = 1000;
		else if (!strcmp(argv[i], "--vms") && i + 1 < argc)
			vms = (size_t)strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else {
			fprintf(stderr, "usage: util_traces [--quick] [--vms N] "
					"[--dir PLANETLAB_FOLDER]\n");
			return 2;
		}
	}
	sim_diag d;
	sim_diag_init(&d);
	trace_util_set *s;
	double t0 = now_s();
	if (trace_util_dir_load(dir, TRACE_UTIL_PLANETLAB, &s, &d)) {
		fputs(d.text, stderr);
		return 2;
	}
	double load = now_s() - t0;
	size_t bytes = 0;
	uint64_t samples = 0; /* Σ over VMs of Σ cpu[k], 1/10000 units */
	for (size_t i = 0; i < s->n; i++) {
		bytes += sizeof *s->vm[i] + s->vm[i]->n * sizeof(uint16_t) +
			 strlen(s->vm[i]->name) + 1;
	}
	for (size_t v = 0; v < vms; v++) {
		const trace_util *u = s->vm[v % s->n];
		for (uint32_t k = 0; k < u->n; k++)
			samples += u->cpu[k];
	}
	printf("loaded %zu PlanetLab traces in %.1f ms; %zu bytes held "
	       "(%.0f per trace; %zu VMs share them)\n",
	       s->n, load * 1e3, bytes, (double)bytes / (double)s->n, vms);

	int bad = 0;
	double reads = (double)vms * INTERVALS;
	for (int mode = TRACE_UTIL_HOLD; mode <= TRACE_UTIL_LINEAR; mode++) {
		trace_util_interp interp = (trace_util_interp)mode;
		const char *name = trace_util_interp_names[mode];
		/* VM by VM, each read with its own division. */
		double sum = 0;
		uint64_t held = 0;
		t0 = now_s();
		for (size_t v = 0; v < vms; v++) {
			const trace_util *u = s->vm[v % s->n];
			for (uint64_t i = 0; i < INTERVALS; i++) {
				double x = trace_util_at(u, TRACE_UTIL_CPU,
							 interp, i * INTERVAL_NS);
				sum += x;
				held += (uint64_t)(x * 10000 + 0.5);
			}
		}
		double took = now_s() - t0;
		printf("%-6s trace_util_at, VM by VM: %zu VMs x %d intervals in "
		       "%.2f s, %.2f ns per read, mean CPU %.4f\n",
		       name, vms, INTERVALS, took, took * 1e9 / reads,
		       sum / reads);
		/* The datacenter's way: one position per interval, then every
		 * VM read at it. */
		uint64_t held2 = 0;
		t0 = now_s();
		for (uint64_t i = 0; i < INTERVALS; i++) {
			trace_util_pos pos = trace_util_pos_at(i * INTERVAL_NS);
			/* VM v replays trace v mod n, without a division. */
			for (size_t v = 0, w = 0; v < vms; v++) {
				double x = trace_util_read(s->vm[w],
							   TRACE_UTIL_CPU,
							   interp, pos);
				held2 += (uint64_t)(x * 10000 + 0.5);
				if (++w == s->n)
					w = 0;
			}
		}
		took = now_s() - t0;
		printf("%-6s trace_util_read, interval by interval: %.2f s, "
		       "%.2f ns per read\n",
		       name, took, took * 1e9 / reads);
		if (held2 != held ||
		    (mode == TRACE_UTIL_HOLD && held != 30 * samples)) {
			fprintf(stderr,
				"%s: reads sum to %llu and %llu (hold: expected "
				"30 x %llu)\n",
				name, (unsigned long long)held,
				(unsigned long long)held2,
				(unsigned long long)samples);
			bad = 1;
		}
	}
	trace_util_set_destroy(s);
	sim_diag_fini(&d);
	return bad;
}
