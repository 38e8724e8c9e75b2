#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# machine suite: the machine alone as an experiment (machine:): a row per
# workload and mode in machine_runs (results.sqlite and CSV) with native's
# slowdown 1 and cycles that add up, the same bytes for the same seed, a
# sweep over machine keys and machine-file overrides, sampled mode against
# detailed, a prompt stop
# with progress inside a long run, and positioned refusals (unknown workload,
# mode or file, a bad machine file) with exit status 2 and nothing
# written.
. "$VDCSIM_TEST_SRCDIR/cli/lib.sh"
src=${VDCSIM_SOURCE_DIR:?}
cd "$work" || exit 1
mkdir -p machines
cp "$src/configs/machines/p4-xeon-2003.yaml" machines/
cp "$src/configs/machines/mips-r10000.yaml" machines/mips.yaml

cat >m.yaml <<'Y'
experiment: {name: m, seed: 3}
machine:
  file: machines/p4-xeon-2003.yaml
  workloads: [spec-cint, lmbench-null-call]
  modes: [native, pv, bt]
  instructions: 200000
  warmup: 10000
Y
"$VDCSIM" validate m.yaml >val.txt 2>&1
check validate_counts_the_machine_rows grep -q "at least 6 events, 6 to 6 rows" val.txt
# The summary speaks of the machine, not of hosts and VMs it does not
# have: 2 workloads x 3 modes, 6 runs of 210,000 instructions each.
check validate_says_what_the_machine_runs grep -qx "m.yaml: valid: 1 run (1 point x 1 replication), machine p4-xeon-2003, 2 workloads x 3 modes; per run 6 machine runs, 1.26e+06 instructions" val.txt
"$VDCSIM" run m.yaml -o out1 >run.txt 2>run.err
check run_succeeds test -s out1/results.sqlite
# The run prints each workload's slowdown under each mode, as the
# database has it.
check run_prints_the_slowdowns grep -q "^  slowdown against native (machine_runs.csv has every column):" run.txt
check run_prints_a_row_per_workload test "$(grep -Ec '^    (spec-cint|lmbench-null-call) +1\.000 ' run.txt)" -eq 2
bt_printed=$(awk '$1 == "lmbench-null-call" { print $4 }' run.txt)
check printed_slowdown_is_the_table test "$bt_printed" = "$(sqlite3 out1/results.sqlite "select printf('%.3f', slowdown) from machine_runs where workload = 'lmbench-null-call' and mode = 'bt'")"
q() { sqlite3 "$1/results.sqlite" "$2"; }
check a_row_per_workload_and_mode test "$(q out1 'select count(*) from machine_runs')" -eq 6
check native_slowdown_is_one test "$(q out1 "select count(*) from machine_runs where mode='native' and slowdown=1.0")" -eq 2
check cycles_add_up test "$(q out1 'select count(*) from machine_runs where cycles = cycles_user + cycles_kernel + cycles_vmm + cycles_tlb and cycles_vmm = vmm_trap + vmm_exit + vmm_hypercall + vmm_emulation + vmm_translation')" -eq 6
check relative_is_one_over_slowdown test "$(q out1 'select count(*) from machine_runs where abs(relative * slowdown - 1) < 1e-12')" -eq 6
# Exactly the instructions asked: the event in progress at the end is cut,
# not completed (a completed one is a tail of kernel work, likelier long).
check instructions_exactly_asked test "$(q out1 'select count(*) from machine_runs where instructions = 200000 and detailed = 200000')" -eq 6
# A run holding fewer than ten of a benchmark loop's events is warned
# about at machine.instructions (still valid); the shipped configs hold
# ten or more.
printf 'experiment: {name: w}\nmachine:\n  file: machines/p4-xeon-2003.yaml\n  workloads: [lmbench-null-call, lmbench-exec]\n  modes: [native]\n  instructions: 4000000\n' >short.yaml
rc=0; "$VDCSIM" validate short.yaml >short.out 2>short.err || rc=$?
check short_loop_is_valid [ $rc -eq 0 ]
check short_loop_warned_at_its_key grep -q "^short.yaml:6:17: warning: machine.instructions: 4000000 instructions hold 7.1 of lmbench-exec's evenly spaced events" short.err
check short_loop_warns_once test "$(grep -c warning short.err)" -eq 1
# A run shorter than a loop whose kinds take turns (lmbench-sh: a fork,
# two execs and 141 faults in 9.2 M instructions) misses some of them,
# though it holds more than ten of its events.
printf 'experiment: {name: w}\nmachine:\n  file: machines/p4-xeon-2003.yaml\n  workloads: [lmbench-sh]\n  modes: [native]\n  instructions: 4000000\n' >part.yaml
rc=0; "$VDCSIM" validate part.yaml >part.out 2>part.err || rc=$?
check part_loop_is_valid [ $rc -eq 0 ]
check part_loop_warned_at_its_key grep -q "^part.yaml:6:17: warning: machine.instructions: 4000000 instructions hold 0.43 of lmbench-sh's loop (9.24e+06 instructions" part.err
for y in "$src"/configs/machine/*.yaml; do
    "$VDCSIM" validate "$y" >/dev/null 2>>shipped.err
done
check shipped_machine_configs_hold_ten_events test ! -s shipped.err
# A run stops at exactly its instructions, whatever event is in progress
# (lmbench-sh's loop holds events of up to 10^6 instructions; until
# 2026-12 a run completed the event it was in: with the stream of then,
# this run went on to 2,944,602).
printf 'experiment: {name: x, seed: 3}\nmachine:\n  file: machines/p4-xeon-2003.yaml\n  workloads: [lmbench-sh]\n  modes: [native]\n  instructions: 2000000\n  warmup: 10000\n' >cut.yaml
"$VDCSIM" run cut.yaml -o ocut >/dev/null 2>&1
check event_in_progress_is_cut test "$(q ocut 'select instructions from machine_runs')" -eq 2000000
# lmbench's null call under BT: each system call reflected through the VMM.
check bt_slower_on_null_call test "$(q out1 "select slowdown > 1 from machine_runs where workload='lmbench-null-call' and mode='bt'")" -eq 1
check bt_reflects_every_syscall test "$(q out1 "select n_trap = n_syscall from machine_runs where workload='lmbench-null-call' and mode='bt'")" -eq 1
check pv_traps_no_syscall test "$(q out1 "select n_trap from machine_runs where workload='lmbench-null-call' and mode='pv'")" -eq 0
check same_stream_in_every_mode test "$(q out1 "select count(distinct n_syscall) from machine_runs where workload='lmbench-null-call'")" -eq 1
# Prefault translates every kernel block first: BT pays no first
# translation in the measurement; without prefault it does.
printf 'experiment: {name: t, seed: 3}\nmachine:\n  file: machines/p4-xeon-2003.yaml\n  workloads: [dbench]\n  modes: [bt]\n  instructions: 200000\n  warmup: 10000\n' >pf.yaml
sed 's/  warmup: 10000/  warmup: 10000\n  prefault: false/' pf.yaml >nopf.yaml
"$VDCSIM" run pf.yaml -o opf >/dev/null 2>&1
"$VDCSIM" run nopf.yaml -o onopf >/dev/null 2>&1
check prefault_translates_first test "$(q opf 'select n_translate from machine_runs')" -eq 0
check no_prefault_translates_in_the_run test "$(q onopf 'select n_translate from machine_runs')" -gt 0
check runs_count_machine_runs test "$(q out1 'select events from runs')" -eq 6
check no_datacenter_tables test "$(q out1 "select count(*) from sqlite_master where name in ('hosts','vms','links')")" -eq 0
check csv_written test -s out1/machine_runs.csv
check columns_documented test "$(q out1 "select count(*) from columns where tbl='machine_runs' and doc != ''")" -ge 40

"$VDCSIM" run m.yaml -o out2 >/dev/null 2>&1
check same_seed_same_rows cmp -s <(q out1 'select * from machine_runs') <(q out2 'select * from machine_runs')
rc=0; "$VDCSIM" run m.yaml -o out3 --set experiment.seed=4 >/dev/null 2>&1 || rc=$?
check other_seed_runs [ $rc -eq 0 ]
check other_seed_has_rows [ -n "$(sqlite3 out3/results.sqlite 'select cycles from machine_runs')" ]
check other_seed_other_stream bash -c "! cmp -s <(sqlite3 out1/results.sqlite 'select cycles from machine_runs') <(sqlite3 out3/results.sqlite 'select cycles from machine_runs')"

# compare reads a machine experiment's rows: each workload and mode's
# slowdown side by side (another seed, another stream), and replications
# summarise them per workload and mode.
"$VDCSIM" compare out1 out3 >cmp.txt 2>&1
check compare_lists_machine_rows grep -Eq '^0 +machine_runs +workload=lmbench-null-call mode=bt +slowdown ' cmp.txt
check compare_has_every_machine_row test "$(grep -c ' slowdown ' cmp.txt)" -eq 6
"$VDCSIM" run m.yaml -o orep --set replications=2 >/dev/null 2>&1
check replications_summarise_machine_rows test "$(q orep "select count(*) from summary where tbl = 'machine_runs' and metric = 'slowdown' and n = 2")" -eq 6

# Replications of one point: the figure draws each bar as their mean
# (each replication a dot), by gnuplot's smooth unique, whose averaging of
# the rows of one x is checked here against the database; a sweep of two
# points draws none.
"$VDCSIM" run "$src/configs/machine/xen-fig3.yaml" -o oreps --set replications=2 --set machine.instructions=100000 --set machine.warmup=10000 >/dev/null 2>&1
check replications_draw_the_figure test -s oreps/machine_fig3.png
check replications_draw_the_cycle_split test -s oreps/machine_cycles.png
check smooth_unique_averages_replications bash -c "cd oreps && gnuplot -e \"set datafile separator comma; set datafile columnheaders; set table 'bt.txt'; plot './machine_runs.csv' using (strcol('mode') eq 'bt' && strcol('workload') eq 'dbench' ? 4 : -100):(column('relative')) smooth unique; unset table\" && awk '\$1 == 4 { printf \"%.6f\\n\", \$2 }' bt.txt | grep -qx \"\$(sqlite3 results.sqlite \"select printf('%.6f', avg(relative)) from machine_runs where mode = 'bt' and workload = 'dbench'\")\""
"$VDCSIM" run "$src/configs/machine/xen-fig3.yaml" -o osweep2 --set machine.instructions=100000 --set machine.warmup=10000 --set 'sweep={experiment.seed: [1, 2]}' >/dev/null 2>&1
check a_sweep_draws_no_figure_of_means bash -c "test -s osweep2/results.sqlite && ! test -e osweep2/machine_fig3.png"

cat >sw.yaml <<'Y'
experiment: {name: sw, seed: 3}
machine:
  file: machines/p4-xeon-2003.yaml
  workloads: [lmbench-null-call]
  modes: [native, bt]
  instructions: 100000
  warmup: 0
sweep:
  machine.instructions: [100000, 200000]
  machine.modes: [[native, bt], [native, pv, uml]]
Y
"$VDCSIM" run sw.yaml -o outsw >/dev/null 2>sw.err
check sweep_runs_every_point test "$(q outsw 'select count(distinct run_id) from machine_runs')" -eq 4
check sweep_varies_modes test "$(q outsw 'select count(*) from machine_runs')" -eq 10
"$VDCSIM" run sw.yaml -o outsw2 -j 2 >/dev/null 2>&1
check parallel_sweep_same_rows cmp -s <(q outsw 'select * from machine_runs') <(q outsw2 'select * from machine_runs')

# Sampled mode (machine.sampling): the same workloads, 2 x 10^6
# instructions in windows of 1000 every 20,000 (100 windows). Counts are
# extrapolated, so the checks are against the detailed run of the same
# stream: the interval it reports holds the detailed CPI on the lmbench
# streams (regular loops), and slowdowns agree within 2 %.
cat >smp.yaml <<'Y'
experiment: {name: smp, seed: 3}
machine:
  file: machines/p4-xeon-2003.yaml
  workloads: [lmbench-null-call, lmbench-page-fault]
  modes: [native, bt]
  instructions: 2000000
  warmup: 10000
  sampling: {period: 20000}
Y
sed '/sampling/d' smp.yaml >det.yaml
"$VDCSIM" run smp.yaml -o osmp >smp.out 2>smp.err
"$VDCSIM" run det.yaml -o odet >det.out 2>det.err
# The summary says how wide the sampled estimates are, and only for them;
# 100 windows draw no warning, 25 do, at machine.sampling.
check sampled_summary_gives_the_interval grep -q "^  sampled: each run's CPI within +-[0-9.]* % (the widest cpi_half), so a slowdown within about +-[0-9.]* %$" smp.out
check detailed_summary_gives_none test "$(grep -c 'sampled:' det.out)" -eq 0
check hundred_windows_not_warned test "$(grep -c warning smp.err)" -eq 0
sed 's/period: 20000/period: 80000/' smp.yaml >few.yaml
rc=0; "$VDCSIM" validate few.yaml >few.out 2>few.err || rc=$?
check few_windows_is_valid [ $rc -eq 0 ]
check few_windows_warned_at_the_period grep -q "^few.yaml:8:22: warning: machine.sampling: 25 windows a run (2000000 instructions, one window every 80000) give a wide interval.*8e+06 instructions or more, or a shorter machine.sampling.period)$" few.err
# Capped by machine.sampling.windows, the advice is that key.
sed 's/period: 20000/period: 20000, windows: 20/' smp.yaml >cap.yaml
"$VDCSIM" validate cap.yaml >cap.out 2>cap.err || true
check capped_windows_warned_with_their_key grep -q "^cap.yaml:8:22: warning: machine.sampling: 20 windows a run (2000000 instructions, one window every 100000) give a wide interval.*(expected at least 100 windows: a larger machine.sampling.windows)$" cap.err
check sampled_rows_say_so test "$(q osmp 'select count(*) from machine_runs where sampled = 1 and windows = 100 and detailed = 100 * 3000')" -eq 4
check detailed_rows_say_so test "$(q odet 'select count(*) from machine_runs where sampled = 0 and windows = 0 and cpi_half = 0 and detailed = instructions')" -eq 4
check sampled_measures_exactly_asked test "$(q osmp 'select count(*) from machine_runs where instructions = 2000000')" -eq 4
join_q() { sqlite3 osmp/results.sqlite "attach 'odet/results.sqlite' as d; $1"; }
check sampled_interval_holds_detailed_cpi test "$(join_q 'select count(*) from machine_runs s join d.machine_runs x using (workload, mode) where abs(s.cpi - x.cpi) <= s.cpi_half and s.cpi_half > 0')" -eq 4
check sampled_slowdown_within_2_percent test "$(join_q 'select count(*) from machine_runs s join d.machine_runs x using (workload, mode) where abs(s.slowdown / x.slowdown - 1) <= 0.02')" -eq 4
check cpi_is_cycles_per_instruction test "$(q odet 'select count(*) from machine_runs where abs(cpi * instructions - cycles) < 1e-6 * cycles')" -eq 4
"$VDCSIM" run smp.yaml -o osmp2 >/dev/null 2>&1
check sampled_same_seed_same_rows cmp -s <(q osmp 'select * from machine_runs') <(q osmp2 'select * from machine_runs')
check cycles_plot_drawn_detailed test -s odet/machine_cycles.png
check cycles_plot_drawn_sampled test -s osmp/machine_cycles.png
# The cycle split marks a published slowdown where the workload and mode
# have one (Disco's three under te, plots/machine_cycles.gp) and nowhere
# else: one disc per such row and one in the key, none for lmbench.
"$VDCSIM" run "$src/configs/machine/disco.yaml" -o odisco --svg \
    --set machine.instructions=200000 --set machine.warmup=10000 >/dev/null 2>&1
"$VDCSIM" plot odet machine_cycles --svg >/dev/null 2>&1
discs() { grep -o "xlink:href='#gpPt6'" "$1" | wc -l; }
check cycles_plot_marks_discos_published_slowdowns test "$(discs odisco/machine_cycles.svg)" -eq 4
check cycles_plot_marks_nothing_unpublished test "$(discs odet/machine_cycles.svg)" -eq 0
check cycles_plot_unpublished_drawn test -s odet/machine_cycles.svg

# machine.overrides replaces machine-file values: one cost, swept. The
# page fault's extra BT cost is charged once per true fault, so the BT
# cycles grow by exactly (5000 - 760) x the true faults.
cat >ov.yaml <<'Y'
experiment: {name: ov, seed: 3}
machine:
  file: machines/p4-xeon-2003.yaml
  workloads: [lmbench-page-fault]
  modes: [native, bt]
  instructions: 200000
  warmup: 10000
sweep:
  machine.overrides.bt.fault: [760, 5000]
Y
"$VDCSIM" run ov.yaml -o oov >/dev/null 2>ov.err
check overrides_sweep_runs_both test "$(q oov "select count(*) from machine_runs where mode = 'bt'")" -eq 2
check overrides_charge_the_new_cost test "$(q oov "select (select cycles from machine_runs where mode = 'bt' and run_id = 2) - (select cycles from machine_runs where mode = 'bt' and run_id = 1) = (5000 - 760) * (select n_true_fault from machine_runs where mode = 'bt' and run_id = 1)")" -eq 1
check overrides_file_value_is_the_file test "$(q oov "select count(distinct cycles) from machine_runs where mode = 'native'")" -eq 1
# A sweep with the same rows in every run draws the slowdown per point
# (plots/machine_sweep.gp), not the one-run cycle split; a sweep whose
# runs hold different modes (outsw) draws neither.
check sweep_plot_drawn test -s oov/machine_sweep.png
check sweep_draws_no_cycle_split test ! -e oov/machine_cycles.png
check sweep_plot_needs_the_same_rows test ! -e outsw/machine_sweep.png
check one_run_draws_no_sweep_plot test ! -e odet/machine_sweep.png
# With replications, the sweep's lines join each point's mean.
"$VDCSIM" run ov.yaml -o oovr --set replications=2 >/dev/null 2>&1
check replicated_sweep_plot_drawn test -s oovr/machine_sweep.png
sed '/^sweep:/,$d' ov.yaml >ov1.yaml
"$VDCSIM" run ov1.yaml -o oov2 --set machine.overrides.bt.fault=760 >/dev/null 2>&1
check overrides_set_equals_the_file test "$(q oov "select cycles from machine_runs where mode = 'bt' and run_id = 1")" -eq "$(q oov2 "select cycles from machine_runs where mode = 'bt'")"

# A stop inside a long machine run (no engine: the run polls the stop
# signal between blocks of 65,536 instructions) ends it at once, with the
# message and status 143; --progress prints where the run is. 10^11
# instructions would take minutes: the KILL guard of timeout(1) fails
# the check if the stop waited for the run.
cat >long.yaml <<'Y'
experiment: {name: long, seed: 3}
machine:
  file: machines/p4-xeon-2003.yaml
  workloads: [lmbench-null-call]
  modes: [native]
  instructions: 100000000000
  warmup: 0
Y
(exec timeout -s KILL 60 "$VDCSIM" run long.yaml -o long --progress \
    >/dev/null 2>long.err) &
pid=$!
for _ in $(seq 1 400); do
    compgen -G 'long.partial/points/*.tmp' >/dev/null && break
    sleep 0.05
done
sleep 1.5
kill -TERM $pid 2>/dev/null || true
rc=0; wait $pid || rc=$?
check machine_sigterm_exits_143 [ $rc -eq 143 ]
check machine_sigterm_says_interrupted grep -q "interrupted: 0 of 1 runs are complete in 'long.partial'" long.err
check machine_sigterm_leaves_partial [ -d long.partial ]
check machine_sigterm_publishes_nothing [ ! -e long ]
check machine_progress_inside_a_run grep -q '^run 1/1: machine: .* of 1e+11 instructions' long.err

# expect_bad NAME WANT YAML: exit status 2, WANT in stderr, nothing written.
expect_bad() {
    local name=$1 want=$2
    printf '%s\n' "$3" >bad.yaml
    "$VDCSIM" run bad.yaml -o badout >out.txt 2>err.txt
    local st=$?
    if [ "$st" -ne 2 ]; then
        fail "$name" "exit status $st, expected 2: $(cat err.txt)"
    elif ! grep -qF -- "$want" err.txt; then
        fail "$name" "stderr lacks '$want': $(cat err.txt)"
    elif [ -e badout ] || [ -e badout.partial ]; then
        fail "$name" "something was written"
    else
        pass "$name"
    fi
}
base='experiment: {name: b}
machine:
  file: machines/p4-xeon-2003.yaml'
expect_bad unknown_workload "bad.yaml:4:15: workloads[].stream: unknown preset 'spec-cnt' (did you mean 'spec-cint'?)" "$base
  workloads: [spec-cnt]"
expect_bad unknown_mode "bad.yaml:5:19: machine.modes[1]: unknown mode 'pvv' (did you mean 'pv'?)" "$base
  workloads: [spec-cint]
  modes: [native, pvv]"
expect_bad mode_not_on_mips "machine.modes[0]: mode 'bt' does not run on this machine" "experiment: {name: b}
machine:
  file: machines/mips.yaml
  workloads: [spec-cint]
  modes: [bt]"
# A machine runs only the modes its hardware has: the 2003 Xeon no VT-x,
# the 2006 P4 no nested paging; the refusal names the what-if override.
expect_bad mode_not_on_this_hardware "bad.yaml:5:19: machine.modes[1]: machine 'p4-xeon-2003' has no VT-x (hw_assist: false), so it does not run 'hw' (expected a mode it runs; for a what-if, machine.overrides: {hw_assist: true})" "$base
  workloads: [spec-cint]
  modes: [native, hw]"
cp "$src/configs/machines/p4-vtx-2006.yaml" machines/
expect_bad no_nested_paging_in_2006 "machine.modes[0]: machine 'p4-vtx-2006' has no nested paging (nested_paging: false), so it does not run 'hw-nested'" "experiment: {name: b}
machine:
  file: machines/p4-vtx-2006.yaml
  workloads: [spec-cint]
  modes: [hw-nested]"
# A bad machine file (printf format BODY) named by a config, refused
# with its message positioned inside the file.
expect_bad_file() {
    printf "$3" >"machines/$2.yaml"
    expect_bad "$1" "$4" "experiment: {name: b}
machine:
  file: machines/$2.yaml
  workloads: [spec-cint]"
}
expect_bad_file hw_assist_on_mips mipsvt 'machine:\n  arch: mips\n  hw_assist: true\n' "machines/mipsvt.yaml:3:14: machine.hw_assist: arch mips has no hardware-assisted virtualization"
expect_bad nested_paging_needs_hw_assist "bad.yaml:5:48: machine.nested_paging: nested paging without hw_assist" "$base
  workloads: [dbench]
  overrides: {hw_assist: false, nested_paging: true}"
expect_bad missing_file "bad.yaml:3:9: machine.file: 'machines/nope.yaml' is not a usable machine file" "experiment: {name: b}
machine:
  file: machines/nope.yaml
  workloads: [spec-cint]"
expect_bad missing_workloads "machine: missing key workloads" "$base"
expect_bad unknown_machine_key "bad.yaml:4:3: unknown key 'instructons' in machine (did you mean 'instructions'?)" "$base
  instructons: 10
  workloads: [spec-cint]"
expect_bad duplicate_workload "machine.workloads: 'dbench' is listed twice (first at 4:15" "$base
  workloads: [dbench, dbench]"
expect_bad_file bad_machine_file_positioned_inside badtlb 'machine:\n  arch: x86\n  tlb_entries: 60\n  tlb_ways: 8\n' "machines/badtlb.yaml:4:13: machine.tlb_ways"
expect_bad bad_stream_mapping "workloads[].stream.syscalls" "$base
  workloads: [{preset: dbench, syscalls: -1}]"
# An unknown key of an override is positioned at the key, as in a file.
expect_bad override_unknown_key "bad.yaml:5:20: unknown key 'falt' in machine.bt (did you mean 'fault'?)" "$base
  workloads: [dbench]
  overrides: {bt: {falt: 5000}}"
expect_bad override_unknown_section "bad.yaml:5:15: unknown key 'btt' in machine (did you mean 'bt'?)" "$base
  workloads: [dbench]
  overrides: {btt: {fault: 5000}}"
expect_bad override_bad_geometry "bad.yaml:5:42: machine.tlb_ways: 60 entries are not divisible into 8 ways" "$base
  workloads: [dbench]
  overrides: {tlb_entries: 60, tlb_ways: 8}"
expect_bad override_not_a_mapping "bad.yaml:5:14: machine.overrides: expected a mapping of machine-file keys, got a scalar" "$base
  workloads: [dbench]
  overrides: 3"
expect_bad sampling_period_below_window "bad.yaml:6:22: machine.sampling.period: 2000 is below window + warmup (3000)" "$base
  workloads: [dbench]
  instructions: 100000
  sampling: {period: 2000}"
expect_bad sampling_needs_two_windows "machine.sampling.period: 400000 leaves fewer than two windows in machine.instructions (100000) (expected a period of at most 50000" "$base
  workloads: [dbench]
  instructions: 100000
  sampling: {}"
expect_bad sampling_unknown_key "unknown key 'windw' in machine.sampling (did you mean 'window'?)" "$base
  workloads: [dbench]
  sampling: {windw: 10}"
expect_bad sampling_not_a_mapping "bad.yaml:5:13: machine.sampling: expected a mapping, got a scalar" "$base
  workloads: [dbench]
  sampling: yes"
# configs/machine/nested-paging.yaml (reference oracles 1 and 11): at the
# file's own setting (2 MiB host pages, a nested TLB: the sweep's last
# point) EPT runs a user-bound stream within 3 % of native and beats
# shadow tables on fork and page faults; with 4 KiB host pages and no
# nested TLB (the first point) the same stream's 2-D walks cost more.
"$VDCSIM" run "$src/configs/machine/nested-paging.yaml" -o onest -j 2 >/dev/null 2>&1
sd() { q onest "select slowdown from machine_runs m join runs r using (run_id) where r.point = $1 and workload = '$2' and mode = '$3'"; }
last=$(q onest "select max(point) from runs"); first=$(q onest "select min(point) from runs")
check nested_paging_four_points [ "$(q onest 'select count(*) from runs')" -eq 4 ]
check oracle1_ept_within_3pct_of_native awk -v g="$(sd "$last" spec-cint hw-nested)" 'BEGIN { exit !(g != "" && g <= 1.03) }'
check oracle11_ept_beats_shadow_on_forks awk -v n="$(sd "$last" forkwait hw-nested)" -v s="$(sd "$last" forkwait hw)" 'BEGIN { exit !(n != "" && s != "" && n + 0 < s + 0) }'
check oracle11_ept_beats_shadow_on_faults awk -v n="$(sd "$last" lmbench-page-fault hw-nested)" -v s="$(sd "$last" lmbench-page-fault hw)" 'BEGIN { exit !(n != "" && s != "" && n + 0 < s + 0) }'
check bare_2d_walks_cost_more awk -v b="$(sd "$first" spec-cint hw-nested)" -v f="$(sd "$last" spec-cint hw-nested)" 'BEGIN { exit !(b != "" && f != "" && b > 1.03 && b > f + 0) }'

# Without modes: a machine runs every mode its hardware has (the 2003
# Xeon: no hw, no hw-nested; the 2006 P4: hw, no hw-nested); an override
# turns on the hardware as a what-if, and its rows are those of a file
# that says so.
for f in p4-xeon-2003 p4-vtx-2006; do
    printf 'experiment: {name: d, seed: 1}\nmachine:\n  file: machines/%s.yaml\n  workloads: [aa-pgfault]\n  instructions: 20000\n  warmup: 1000\n' "$f" >"def-$f.yaml"
    "$VDCSIM" run "def-$f.yaml" -o "odef-$f" >/dev/null 2>&1
done
check default_modes_2003_without_vtx test "$(q odef-p4-xeon-2003 "select group_concat(mode, ' ') from machine_runs")" = "native te bt pv uml"
check default_modes_2006_without_ept test "$(q odef-p4-vtx-2006 "select group_concat(mode, ' ') from machine_runs")" = "native te bt pv hw uml"
printf 'experiment: {name: d, seed: 1}\nmachine:\n  file: machines/p4-xeon-2003.yaml\n  workloads: [aa-pgfault]\n  modes: [native, hw, hw-nested]\n  overrides: {hw_assist: true, nested_paging: true}\n  instructions: 20000\n  warmup: 1000\n' >whatif.yaml
"$VDCSIM" run whatif.yaml -o owhatif >/dev/null 2>&1
check whatif_override_runs_hw test "$(q owhatif "select group_concat(mode, ' ') from machine_runs")" = "native hw hw-nested"
sed 's/  hw_assist: false .*/  hw_assist: true\n  nested_paging: true/' machines/p4-xeon-2003.yaml >machines/p4-vt.yaml
sed 's|p4-xeon-2003.yaml|p4-vt.yaml|; /overrides/d' whatif.yaml >whatif2.yaml
"$VDCSIM" run whatif2.yaml -o owhatif2 >/dev/null 2>&1
check whatif_override_is_the_file cmp -s <(q owhatif 'select mode, cycles from machine_runs') <(q owhatif2 'select mode, cycles from machine_runs')

finish
