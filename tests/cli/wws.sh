#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wws suite: `vdcsim trace-gen` and `vdcsim wws` end to end, with reference
# two closed-form oracles from Clark et al. (NSDI 2005) §4: a 512 MiB VM whose
# only writes are a fixed hot set of 1000 pages every 50 ms has a downtime
# of 32 s at 128 Mibit/s without pre-copy, and of 1000 x 4096 x 8 / 2^27 s
# = 0.244140625 s after any number of iterations (the WWS bound).
. "$(dirname "$0")/lib.sh"
cd "$work"

{
    echo "# vdcsim page-dirty trace v1"
    echo "pages 131072"
    echo "page_size 4096"
    echo "interval 50ms"
    for i in $(seq 1 1200); do echo "$((i * 50000000)) 0-999"; done
} >hot.pdt
"$VDCSIM" wws hot.pdt --bandwidth 128Mibit/s,256Mibit/s --iterations 4 --step 1s -o hot >out.txt 2>err.txt \
    || fail wws_runs "$(cat err.txt)"
db=hot/results.sqlite
check wws_writes_csv_and_plots bash -c "[ -s hot/wws.csv ] && [ -s hot/dirty_rate.csv ] && [ -s hot/wws.png ] && [ -s hot/dirty_rate_hist.png ]"
check oracle_1_stop_and_copy_512MiB_at_128Mibit_is_32s \
    [ "$(sqlite3 $db "SELECT DISTINCT downtime_ns FROM wws WHERE iterations = 0 AND bandwidth_bps = 134217728")" = 32000000000 ]
check oracle_1_stop_and_copy_512MiB_at_256Mibit_is_16s \
    [ "$(sqlite3 $db "SELECT DISTINCT downtime_ns FROM wws WHERE iterations = 0 AND bandwidth_bps = 268435456")" = 16000000000 ]
check oracle_9_hot_set_bounds_downtime_for_any_iterations \
    [ "$(sqlite3 $db "SELECT DISTINCT downtime_ns FROM wws WHERE iterations >= 1 AND bandwidth_bps = 134217728")" = 244140625 ]
check oracle_9_every_iteration_count_is_present \
    [ "$(sqlite3 $db "SELECT count(DISTINCT iterations) FROM wws")" = 5 ]
check dirty_rate_is_1000_pages_per_50ms \
    [ "$(sqlite3 $db "SELECT DISTINCT rate_pages_s FROM dirty_rate")" = 20000.0 ]
check wws_dir_is_plottable bash -c "'$VDCSIM' plot hot | grep -q '3 plots drawn'"

# The figure: one png of the downtime panels over the dirtying rate, and
# the histogram on its own; the data behind them is whole.
check wws_figure_and_histogram_are_separate_pngs bash -c "[ -s hot/wws.png ] && [ -s hot/dirty_rate_hist.png ] && grep -q dirty_rate '$VDCSIM_SOURCE_DIR/plots/wws.gp'"
check dirty_rate_has_a_row_per_sample [ "$(sqlite3 $db "SELECT count(*) FROM dirty_rate")" = 1200 ]
check histogram_holds_every_sample [ "$(sqlite3 $db "SELECT sum(samples) FROM dirty_rate_hist")" = 1200 ]

# A zero downtime is kept in the data and drawn on the floor: the hot set
# stops writing after 10 s, so later starts end with an empty last round.
{
    echo "# vdcsim page-dirty trace v1"
    echo "pages 131072"
    echo "page_size 4096"
    echo "interval 50ms"
    for i in $(seq 1 1200); do
        if [ "$i" -le 200 ]; then echo "$((i * 50000000)) 0-999"; else echo "$((i * 50000000))"; fi
    done
} >idle.pdt
"$VDCSIM" wws idle.pdt --bandwidth 512Mibit/s --iterations 2 --step 1s -o idle >/dev/null 2>err.txt \
    || fail wws_runs_on_an_idle_trace "$(cat err.txt)"
check zero_downtimes_are_kept_in_the_table [ "$(sqlite3 idle/results.sqlite "SELECT count(*) > 0 FROM wws WHERE downtime_ns = 0 AND iterations = 2")" = 1 ]
check zero_downtimes_are_in_the_csv_the_plot_reads bash -c "awk -F, 'NR > 1 && \$7 == 0' idle/wws.csv | grep -q ."
check idle_figure_is_drawn [ -s idle/wws.png ]

# Synthetic presets move: on a kernel compile (compile units, a link at
# 35 s) the downtime after 3 iterations at 512 Mibit/s varies with the
# start time by more than a factor 2 (a stationary preset's stays within
# its noise); on OLTP the checkpoint at 20-25 s raises the dirtying rate.
"$VDCSIM" trace-gen kernel-compile --duration 80s -o kc.pdt >/dev/null
"$VDCSIM" wws kc.pdt --bandwidth 512Mibit/s --iterations 3 --step 1s -o kc >/dev/null 2>err.txt \
    || fail wws_on_kernel_compile "$(cat err.txt)"
check kernel_compile_downtime_varies_with_the_start_time [ "$(sqlite3 kc/results.sqlite "SELECT max(downtime_ns) > 2 * min(downtime_ns) FROM wws WHERE iterations = 3")" = 1 ]
"$VDCSIM" trace-gen oltp --duration 40s -o oltp.pdt >/dev/null
"$VDCSIM" wws oltp.pdt --bandwidth 512Mibit/s --iterations 1 --step 5s -o oltp >/dev/null 2>err.txt \
    || fail wws_on_oltp "$(cat err.txt)"
check oltp_checkpoint_raises_the_dirtying_rate [ "$(sqlite3 oltp/results.sqlite "SELECT (SELECT avg(rate_pages_s) FROM dirty_rate WHERE time_s > 20.5 AND time_s <= 25) > 3 * (SELECT avg(rate_pages_s) FROM dirty_rate WHERE time_s > 5 AND time_s <= 15)")" = 1 ]
check presets_default_to_512_MiB bash -c "grep -qx 'pages 131072' kc.pdt && grep -qx 'pages 131072' oltp.pdt"

# Bad input: positioned messages, status 2, nothing written.
printf '# vdcsim page-dirty trace v1\npages 10\npage_size 4096\ninterval 50ms\n50000000 10\n' >bad.pdt
rc=0; "$VDCSIM" wws bad.pdt -o badout >/dev/null 2>err.txt || rc=$?
check malformed_trace_exits_2 [ $rc -eq 2 ]
check malformed_trace_message_is_positioned grep -qx "bad.pdt:5:10: page 10 is out of range (expected 0 to 9)" err.txt
check malformed_trace_writes_nothing bash -c "[ ! -e badout ] && [ ! -e badout.partial ]"
rc=0; "$VDCSIM" wws hot.pdt --bandwidth 0bit/s -o zero >/dev/null 2>err.txt || rc=$?
check zero_bandwidth_exits_2 [ $rc -eq 2 ]
check zero_bandwidth_writes_nothing [ ! -e zero ]

# trace-gen: same preset and seed, same bytes; another seed, other bytes.
"$VDCSIM" trace-gen quake3 --duration 5s -o q1.pdt >/dev/null
"$VDCSIM" trace-gen quake3 --duration 5s -o q2.pdt >/dev/null
"$VDCSIM" trace-gen quake3 --duration 5s --seed 2 -o q3.pdt >/dev/null
check trace_gen_is_deterministic cmp -s q1.pdt q2.pdt
check trace_gen_seed_writes_a_trace [ -s q3.pdt ]
check trace_gen_seed_changes_the_trace bash -c "! cmp -s q1.pdt q3.pdt"
check trace_gen_writes_100_samples [ "$(grep -c '^[0-9]' q1.pdt)" = 100 ]
"$VDCSIM" wws q1.pdt -o q1 >/dev/null 2>err.txt || fail wws_on_generated_trace "$(cat err.txt)"
check wws_reads_generated_traces [ -s q1/wws.csv ]
rc=0; "$VDCSIM" trace-gen specwbe >/dev/null 2>err.txt || rc=$?
check unknown_preset_exits_2 [ $rc -eq 2 ]
check unknown_preset_suggests grep -q "did you mean 'specweb'" err.txt

# --step 1ns over a trace asks for billions of points: refused before any
# output, with the smallest step that fits.
rc=0; "$VDCSIM" wws q1.pdt --step 1ns -o tiny >/dev/null 2>err.txt || rc=$?
check tiny_step_exits_2 [ $rc -eq 2 ]
check tiny_step_says_the_smallest_step grep -q "points (expected at most 1e+07: use a --step of at least" err.txt
check tiny_step_writes_nothing bash -c "[ ! -e tiny ] && [ ! -e tiny.partial ]"

finish
