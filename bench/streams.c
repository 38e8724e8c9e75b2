/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of the instruction-stream generators (workloads/stream.c):
 * instructions generated per second for every catalog preset, in blocks
 * of 4096 into one buffer, as an executor would pull them (CPU time of
 * the thread, so that other load on the machine does not count); and of the
 * binary trace encoder and decoder on one of them. Prints figures, never
 * asserts on time. With --quick it generates a little of every preset
 * and checks the privilege-level conventions hold (a smoke test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace.h"
#include "wl.h"

#define BLOCK 4096

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	uint64_t n = quick ? 200000 : (argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000);
	trace_insn *buf = sim_xmalloc(BLOCK * sizeof *buf);
	uint64_t checksum = 0, all = 0;
	double all_s = 0;
	printf("%-22s %14s %10s\n", "preset", "instructions/s", "kernel %");
	for (size_t i = 0; wl_stream_preset_at(i); i++) {
		const wl_stream_preset *p = wl_stream_preset_at(i);
		gsl_rng *r = sim_rng_stream(1, "bench/stream");
		wl_stream *g = wl_stream_create(&p->params, r);
		gsl_rng_free(r);
		trace_insn_levels lv;
		trace_insn_levels_init(&lv);
		uint64_t kernel = 0;
		double t0 = now_s();
		for (uint64_t done = 0; done < n; done += BLOCK) {
			wl_stream_fill(g, buf, BLOCK);
			checksum += buf[BLOCK - 1].va + buf[0].op;
			if (!quick)
				continue;
			for (size_t k = 0; k < BLOCK; k++) {
				uint64_t bad;
				kernel += lv.depth > 0;
				const char *why =
					trace_insn_levels_feed(&lv, &buf[k], 1,
							       &bad);
				if (why) {
					fprintf(stderr, "%s: instruction %llu: "
						"%s\n", p->name,
						(unsigned long long)bad, why);
					return 1;
				}
			}
		}
		double s = now_s() - t0;
		uint64_t made = (n + BLOCK - 1) / BLOCK * BLOCK;
		all += made;
		all_s += s;
		if (quick)
			printf("%-22s %14s %9.2f%%\n", p->name, "-",
			       100.0 * (double)kernel / (double)made);
		else
			printf("%-22s %14.3e %10s\n", p->name, (double)made / s,
			       "-");
		wl_stream_destroy(g);
	}
	if (!quick)
		printf("%-22s %14.3e\n", "all presets", (double)all / all_s);

	/* The trace codec on linux-build. */
	uint64_t m = quick ? 100000 : 20000000;
	gsl_rng *r = sim_rng_stream(1, "bench/stream");
	wl_stream *g = wl_stream_create(&wl_stream_preset_find("linux-build")
						 ->params, r);
	gsl_rng_free(r);
	trace_insn *all_insn = sim_xmalloc(m * sizeof *all_insn);
	wl_stream_fill(g, all_insn, m);
	wl_stream_destroy(g);
	uint8_t *bytes;
	size_t len;
	double t0 = now_s();
	if (trace_insn_encode(all_insn, m, 12, &bytes, &len, NULL))
		return 1;
	double enc = now_s() - t0;
	/* Decoding block by block into one buffer, as an executor would. */
	trace_insn_reader *rd;
	if (trace_insn_reader_open_mem("bench", bytes, len, &rd, NULL))
		return 1;
	uint64_t got = 0;
	size_t k;
	t0 = now_s();
	while (trace_insn_reader_read(rd, buf, BLOCK, &k, NULL) == 0 && k) {
		if (memcmp(buf, all_insn + got, k * sizeof *buf)) {
			fprintf(stderr, "trace round trip failed\n");
			return 1;
		}
		got += k;
	}
	double dec = now_s() - t0;
	trace_insn_reader_close(rd);
	if (got != m) {
		fprintf(stderr, "trace round trip failed\n");
		return 1;
	}
	printf("trace codec (linux-build): %.2f bytes/instruction, encode "
	       "%.3e instructions/s, decode %.3e instructions/s\n",
	       (double)len / (double)m, (double)m / enc, (double)m / dec);
	free(bytes);
	free(all_insn);
	free(buf);
	return checksum == 42 ? 2 : 0;
}
