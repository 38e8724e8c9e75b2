#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli suite: the vdcsim command end to end: help and version, params, the
# default experiment's results directory, plot, refusing to overwrite,
# Ctrl-C and --resume, progress, and an installed copy finding its data.
. "$(dirname "$0")/lib.sh"
good=$VDCSIM_TEST_SRCDIR/cli/good.yaml
cd "$work"

check version_prints_the_version bash -c '"$VDCSIM" --version | grep -qx "vdcsim [0-9]*\.[0-9]*\.[0-9]*"'
for c in run validate plot params; do
    check "${c}_help_exits_0_and_shows_usage" bash -c "\"\$VDCSIM\" $c --help | grep -q '^usage: vdcsim $c'"
done
rc=0; "$VDCSIM" >/dev/null 2>&1 || rc=$?
check no_command_is_a_usage_error [ $rc -eq 2 ]

params=$("$VDCSIM" params)
for p in "experiment:" "datacenter:" "datacenter.host:" "datacenter.fabric:" "datacenter.network:" "vms\[\]:" "vms\[\].page_writes:" "vms\[\].traffic\[\]:" "machine:" "machine.hw:" "replications" "hosts_per_rack" "sample_interval"; do
    check "params_lists_$p" grep -q "$p" <<<"$params"
done
check params_shows_policy_threshold grep -Eq '^  threshold +percent +75% +1%\.\.100%' <<<"$params"
check params_shows_memory_default_and_range grep -Eq '^  memory +size +64GiB +1MiB\.\.1024TiB' <<<"$params"

# The default experiment, as the Quick start runs it (from the source tree).
(cd "$work" && "$VDCSIM" run >out.txt 2>err.txt) || fail default_run "$(cat err.txt)"
d="$work/results/default"
check default_run_makes_results_default [ -d "$d" ]
check default_run_has_results_sqlite [ -s "$d/results.sqlite" ]
for t in runs hosts vms links host_samples migrations migration_rounds meta columns; do
    check "default_run_has_${t}_csv" [ -s "$d/$t.csv" ]
done
check default_run_has_a_png_plot bash -c "head -c 8 '$d/downtime_vs_iterations.png' | od -An -tx1 | tr -d ' \n' | grep -qx 89504e470d0a1a0a"
check default_run_leaves_no_partial [ ! -e "$d.partial" ]
# Only the plots that fit: one scheme and one placement in every run draw
# neither the scheme plot nor 24 identical placements.
check default_run_draws_only_the_plot_that_fits [ "$(cd "$d" && ls *.png)" = downtime_vs_iterations.png ]
"$VDCSIM" plot "$d" --list >list.txt 2>err.txt || fail plot_list_runs "$(cat err.txt)"
check plot_list_says_what_fits grep -qx 'downtime_vs_iterations *fits' list.txt
check plot_list_says_why_not grep -q '^migration_schemes *does not fit: needs migrations by more than one scheme$' list.txt
check plot_list_names_every_script [ "$(wc -l <list.txt)" = "$(ls "$VDCSIM_SOURCE_DIR"/plots/*.gp | wc -l)" ]
check plot_list_draws_nothing [ "$(cd "$d" && ls *.png | wc -l)" = 1 ]
check default_run_keeps_its_config [ -s "$d/config.yaml" ]
check default_run_prints_where grep -q "^results/default: 24 runs" out.txt
check default_run_migrates_once_per_run [ "$(sqlite3 "$d/results.sqlite" 'SELECT count(*) FROM migrations')" = 24 ]
check default_run_downtime_falls_with_rounds [ "$(sqlite3 "$d/results.sqlite" 'SELECT count(*) FROM migrations a JOIN migrations b ON a.max_rate_bps = b.max_rate_bps AND b.rounds = a.rounds + 1 WHERE b.downtime_ns > a.downtime_ns')" = 0 ]
check csv_records_end_in_crlf bash -c "head -n1 '$d/runs.csv' | od -c | grep -q '\\\\r  *\\\\n'"
check schema_version_is_recorded [ "$(sqlite3 "$d/results.sqlite" 'PRAGMA user_version')" = 3 ]
check rng_derivation_is_recorded grep -q splitmix64 <<<"$(sqlite3 "$d/results.sqlite" "SELECT value FROM meta WHERE key = 'rng_derivation'")"
check runs_have_a_column_per_swept_parameter [ "$(sqlite3 "$d/results.sqlite" 'SELECT group_concat("migrations.0.max_rounds") FROM runs WHERE point < 8')" = "1,2,3,4,5,6,8,10" ]

# A second run does not overwrite the first.
(cd "$work" && "$VDCSIM" run >out2.txt 2>&1) || true
check second_default_run_goes_to_default_2 [ -d "$work/results/default-2" ]

# -o onto an existing directory is refused.
rc=0; "$VDCSIM" run "$good" -o "$d" >/dev/null 2>err.txt || rc=$?
check existing_output_is_refused [ $rc -eq 2 ]
check existing_output_message grep -q "output directory '$d' exists" err.txt

# vdcsim plot draws again; --svg draws SVG.
rm "$d/downtime_vs_iterations.png"
check plot_redraws bash -c "'$VDCSIM' plot '$d' | grep -qx '$d: 1 plot drawn'"
check plot_redraws_png [ -s "$d/downtime_vs_iterations.png" ]
"$VDCSIM" plot "$d" --svg >/dev/null
check plot_svg grep -q '<svg' "$d/downtime_vs_iterations.svg"
rc=0; "$VDCSIM" plot "$work" >/dev/null 2>&1 || rc=$?
check plot_of_a_non_results_dir_is_refused [ $rc -eq 2 ]
"$VDCSIM" run "$good" -o "$work/svg" --svg >/dev/null 2>&1
check run_svg_writes_svg [ -s "$work/svg/placement.svg" ]

# Without gnuplot on PATH the data is still written and the message says why.
mkdir -p "$work/nobin"
for t in sqlite3; do ln -sf "$(command -v $t)" "$work/nobin/$t"; done
PATH="$work/nobin" "$VDCSIM" run "$good" -o "$work/nognuplot" >out.txt 2>&1
check no_gnuplot_still_writes_data [ -s "$work/nognuplot/hosts.csv" ]
check no_gnuplot_says_plots_skipped grep -q "plots skipped: gnuplot is not installed" out.txt

# Progress lines when asked, even without a terminal.
"$VDCSIM" run "$good" -o "$work/prog" --progress >/dev/null 2>prog.txt
check progress_reports_runs_done grep -q "runs done: 8 of 8" prog.txt
"$VDCSIM" run "$good" -o "$work/quiet" >/dev/null 2>quiet.txt
# (good.yaml's 2 replications draw nothing random: one warning line says so.)
check no_progress_when_not_a_terminal [ "$(grep -vc ': warning: replications:' quiet.txt)" = 0 ]

# Ctrl-C: nothing presented as complete; --resume finishes the same bytes.
long=$VDCSIM_TEST_SRCDIR/cli/long.yaml
"$VDCSIM" run "$long" -o "$work/ref" -j 2 >/dev/null 2>&1
"$VDCSIM" run "$long" -o "$work/int" -j 2 >/dev/null 2>int.txt &
pid=$!
for _ in $(seq 1 1200); do
    ls "$work/int.partial/points/"*.sqlite >/dev/null 2>&1 && break
    sleep 0.05
done
kill -INT $pid
rc=0; wait $pid || rc=$?
check interrupt_exits_130 [ $rc -eq 130 ]
check interrupt_leaves_no_complete_dir [ ! -e "$work/int" ]
check interrupt_keeps_partial [ -d "$work/int.partial" ]
check interrupt_says_how_to_resume grep -q "vdcsim run --resume $work/int" int.txt
check interrupt_leaves_no_half_written_points bash -c "! ls '$work/int.partial/points/'*.tmp 2>/dev/null"
"$VDCSIM" run --resume "$work/int" -j 2 >/dev/null 2>resume.txt || fail resume "$(cat resume.txt)"
check resume_completes [ -s "$work/int/results.sqlite" ]
sqlite3 "$work/ref/results.sqlite" .dump >ref.dump
sqlite3 "$work/int/results.sqlite" .dump >int.dump 2>/dev/null
check resumed_results_equal_uninterrupted cmp -s ref.dump int.dump
rc=0; "$VDCSIM" run --resume "$work/int" >/dev/null 2>&1 || rc=$?
check resume_of_a_complete_dir_is_refused [ $rc -eq 2 ]

# Interrupted and resumed from elsewhere, a sweep whose config replays a
# trace named relative to the config's folder still finds it: the staging
# directory remembers that folder.
mkdir -p "$work/tdir" "$work/elsewhere2"
cp "$VDCSIM_TEST_SRCDIR/cli/guests/quake3-40MiB.pdt" "$work/tdir/q.pdt"
sed 's|^  - {name: a, memory: 1GiB}$|&\n  - {name: g, memory: 40MiB, page_writes: {kind: replay, trace: q.pdt}}|' \
    "$long" >"$work/tdir/long.yaml"
(cd "$work/tdir" && "$VDCSIM" run long.yaml -o "$work/tref" -j 2 >/dev/null 2>&1)
(cd "$work/tdir" && exec "$VDCSIM" run long.yaml -o "$work/tint" -j 2 >/dev/null 2>&1) &
pid=$!
for _ in $(seq 1 1200); do
    ls "$work/tint.partial/points/"*.sqlite >/dev/null 2>&1 && break
    sleep 0.05
done
kill -INT $pid
rc=0; wait $pid || rc=$?
check trace_sweep_interrupt_exits_130 [ $rc -eq 130 ]
(cd "$work/elsewhere2" && "$VDCSIM" run --resume "$work/tint" -j 2 >/dev/null 2>resume2.txt) \
    || fail resume_with_relative_trace "$(cat "$work/elsewhere2/resume2.txt")"
sqlite3 "$work/tref/results.sqlite" .dump >tref.dump
sqlite3 "$work/tint/results.sqlite" .dump >tint.dump 2>/dev/null
check resume_finds_a_trace_relative_to_the_original_config cmp -s tref.dump tint.dump
check resume_leaves_no_bookkeeping_behind [ ! -e "$work/tint/points" ]

# vms[].page_writes end to end (tests/cli/guests).
guests=$VDCSIM_TEST_SRCDIR/cli/guests
"$VDCSIM" run "$guests/preset.yaml" -o "$work/preset" >/dev/null 2>err.txt || fail preset_runs "$(cat err.txt)"
# A preset's base is its parameters: in expected counts, page_writes:
# specweb migrates exactly as the same hot set written out in dirtying:
# (H = 20 MiB, h = 50000 and c = 1000 writes/s). Page-exact, the preset
# also carries its time structure (a +-25 % swing of its rates,
# workloads/README.md), so there it migrates differently.
sed 's/page_writes: specweb}/dirtying: {hot_set: 20MiB, hot_rate: 50000, cold_rate: 1000}}/' \
    "$guests/preset.yaml" >"$work/spelled.yaml"
"$VDCSIM" run "$work/spelled.yaml" -o "$work/spelled" >/dev/null 2>err.txt || fail spelled_runs "$(cat err.txt)"
rows() { sqlite3 "$work/$1/results.sqlite" "SELECT * FROM $2 WHERE migration IN (SELECT migration FROM migrations WHERE fidelity = '$3') ORDER BY 1, 2, 3"; }
for t in migrations migration_rounds; do
    for f in statistical page-exact; do
        check "preset_${t}_has_${f}_rows" [ -n "$(rows preset $t $f)" ]
        check "spelled_${t}_has_${f}_rows" [ -n "$(rows spelled $t $f)" ]
    done
    check "preset_${t}_equal_the_spelled_out_hot_set_in_expected_counts" \
        [ "$(rows preset $t statistical)" = "$(rows spelled $t statistical)" ]
    check "preset_${t}_page_exact_move_with_the_time_structure" \
        [ "$(rows preset $t page-exact)" != "$(rows spelled $t page-exact)" ]
done
pdb=$work/preset/results.sqlite
check preset_migrates_in_both_fidelities [ "$(sqlite3 "$pdb" "SELECT group_concat(fidelity, ' ') FROM migrations ORDER BY migration")" = "statistical page-exact" ]
# The two fidelities agree within 10 % on downtime and pages sent.
agree=$(sqlite3 "$pdb" "SELECT abs(e.downtime_ns - s.downtime_ns) * 10 <= s.downtime_ns AND abs(e.pages - s.pages) * 10 <= s.pages FROM migrations s, migrations e WHERE s.vm = 'stat' AND e.vm = 'exact'")
check preset_fidelities_agree_within_10_percent [ "$agree" = 1 ]

# A replayed trace is found next to its config from any working directory
# (config given by absolute and by relative path), and draws no random
# numbers: another seed migrates identically.
(cd / && "$VDCSIM" run "$guests/replay.yaml" -o "$work/replay" >/dev/null 2>"$work/err.txt") \
    || fail replay_runs_from_root "$(cat "$work/err.txt")"
(cd "$guests/.." && "$VDCSIM" run guests/replay.yaml -o "$work/replay_rel" --seed 9 >/dev/null 2>"$work/err.txt") \
    || fail replay_runs_relative "$(cat "$work/err.txt")"
rdb=$work/replay/results.sqlite
check replay_migrates_page_exact [ "$(sqlite3 "$rdb" "SELECT fidelity || ' ' || (rounds > 0) FROM migrations")" = "page-exact 1" ]
for t in migrations migration_rounds; do
    check "replay_${t}_do_not_depend_on_the_seed" cmp -s "$work/replay/$t.csv" "$work/replay_rel/$t.csv"
done
# Its traffic (200 Mbit/s from 50 ms) leaves from the source until the
# migration is done, then from the destination, at its cap throughout.
segs=$(sqlite3 "$rdb" "SELECT group_concat(source || '>' || destination || '@' || mean_rate_bps, ' ') FROM traffic")
check replay_traffic_follows_the_vm [ "$segs" = "rack0/host0>rack0/host2@200000000 rack0/host1>rack0/host2@200000000" ]
check replay_traffic_moves_when_the_migration_ends [ "$(sqlite3 "$rdb" "SELECT count(*) FROM traffic t, migrations m WHERE (t.source = 'rack0/host0' AND t.end_ns = m.end_ns) OR (t.source = 'rack0/host1' AND t.start_ns = m.end_ns)")" = 2 ]
check replay_traffic_bytes_are_rate_times_time [ "$(sqlite3 "$rdb" "SELECT sum(bytes) FROM traffic")" = $((200000000 * 950000000 / 1000000000 / 8)) ]
# Host 0's uplink carried the migration and the first segment, nothing else.
check source_uplink_bits_are_migration_plus_traffic [ "$(sqlite3 "$rdb" "SELECT (SELECT sum(bits) FROM link_samples WHERE link = 0) = (SELECT bytes * 8 FROM migrations) + (SELECT bytes * 8 FROM traffic WHERE source = 'rack0/host0')")" = 1 ]

# meson install: the installed vdcsim finds its own configs and plots.
if [ -n "${VDCSIM_BUILD_DIR:-}" ]; then
    meson install -C "$VDCSIM_BUILD_DIR" --no-rebuild --destdir "$work/inst" >/dev/null 2>&1
    exe=$(find "$work/inst" -type f -name vdcsim -perm -u+x | head -n1)
    share=$(dirname "$(find "$work/inst" -path '*/vdcsim/configs/default.yaml' | head -n1)")/..
    check install_puts_vdcsim_in_bin [ -n "$exe" ]
    check install_puts_plots_in_share [ -f "$share/plots/placement.gp" ]
    sed -i 's/name: default/name: installed/' "$share/configs/default.yaml"
    mkdir -p "$work/elsewhere"
    (cd "$work/elsewhere" && "$exe" run >/dev/null 2>&1)
    check installed_vdcsim_uses_installed_default_config [ -d "$work/elsewhere/results/installed" ]
    check installed_vdcsim_draws_plots [ -s "$work/elsewhere/results/installed/downtime_vs_iterations.png" ]
    check install_puts_the_manual_page_in_man1 [ -s "$(find "$work/inst" -path '*/man1/vdcsim.1' | head -n1)" ]
    check install_puts_bash_completion_in_place [ -s "$(find "$work/inst" -path '*/bash-completion/completions/vdcsim' | head -n1)" ]
fi

# help CMD is CMD --help, for every command the main help lists; every
# command's help states its exit statuses.
cmds=$("$VDCSIM" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | grep -v '^help$')
check the_main_help_lists_commands [ "$(echo "$cmds" | wc -w)" -ge 6 ]
for c in $cmds; do
    check "help_${c}_is_${c}_dash_dash_help" [ "$("$VDCSIM" help "$c")" = "$("$VDCSIM" "$c" --help)" ]
    check "${c}_help_lists_its_exit_statuses" bash -c "'$VDCSIM' '$c' --help | grep -q '^Exit status'"
done
check the_main_help_lists_exit_statuses bash -c "'$VDCSIM' --help | grep -q '^Exit status: 0 success, 1 run-time failure, 2'"
rc=0; "$VDCSIM" help nosuch >/dev/null 2>&1 || rc=$?
check help_of_an_unknown_command_exits_2 [ $rc -eq 2 ]

# The manual page: built from the help texts, it has every command and
# every parameter, and renders without a groff warning.
if [ -n "${VDCSIM_BUILD_DIR:-}" ] && [ -f "$VDCSIM_BUILD_DIR/cli/vdcsim.1" ]; then
    man1="$VDCSIM_BUILD_DIR/cli/vdcsim.1"
    for c in $cmds; do
        check "manual_has_${c}" grep -q "^\.SS $c\$" "$man1"
    done
    check manual_has_the_parameters grep -q "datacenter.host: every host" "$man1"
    if command -v groff >/dev/null; then
        check manual_renders_without_warnings [ -z "$(groff -man -Tutf8 -ww -z "$man1" 2>&1)" ]
    fi
fi

# Bash completion: commands, a command's options, parameter paths after
# --set (vms[] as vms.0), all read from this vdcsim.
comp() { bash -c 'shopt -s extglob; . "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vdcsim; printf "%s\n" "${COMPREPLY[@]}"' _ "$VDCSIM_SOURCE_DIR/cli/vdcsim.bash" "$VDCSIM" "$@"; }
check completion_of_commands [ "$(comp 'tr' | tr '\n' ' ')" = "trace-gen trace-record " ]
check completion_of_run_options [ "$(comp run --no | tr '\n' ' ')" = "--no-csv --no-plots " ]
check completion_of_set_paths [ "$(comp run --set datacenter.host.mem)" = datacenter.host.memory= ]
check completion_of_list_paths [ "$(comp run --set vms.0.na)" = vms.0.name= ]
check completion_of_help_topics [ "$(comp help pl)" = plot ]
check completion_of_plot_names [ "$(comp plot "$work/svg" migration_t)" = migration_timeline ]

finish
