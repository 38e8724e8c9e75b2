#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# plots suite: the plots fit what they show. Checked on the SVG that
# gnuplot writes (its text and its markers, not pixels): swept values are
# labelled as the user wrote them, log axes carry plain decade labels,
# every series has its own marker and no marker of one series sits on a
# marker of another.
. "$(dirname "$0")/lib.sh"
cd "$work" || exit 1
if ! command -v gnuplot >/dev/null; then
    echo "gnuplot missing: nothing to check"; exit 77
fi
src=$VDCSIM_SOURCE_DIR

# texts SVG: every text element, one per line.
texts() { grep -o '<tspan[^>]*>[^<]*</tspan>' "$1" | sed 's/<[^>]*>//g; s/^ *//'; }
# markers SVG: "TYPE X Y" for every point marker drawn in the plot area
# (the key's sample markers included; not the white discs gnuplot draws
# under the markers of error bars).
markers() { grep -o "<use xlink:href='#gpPt[0-9]*' transform='translate([0-9.]*,[0-9.]*)[^>]*>" "$1" |
    grep -v "color='#FFFFFF'" |
    sed "s/.*#gpPt\([0-9]*\)' transform='translate(\([0-9.]*\),\([0-9.]*\)).*/\1 \2 \3/"; }
# overlaps SVG: markers of different types at the same place (to 1 px).
overlaps() { markers "$1" | awk '{ k = sprintf("%.0f,%.0f", $2, $3); if (k in t && t[k] != $1) n++; t[k] = $1 } END { print n + 0 }'; }

# 1. Rates in the unit the user wrote: 10Gbit/s, not 9536.74 Mibit/s;
# 2.5Gbit/s as written, though 2500Mbit/s is the same rate.
cat >rates.yaml <<'YAML'
experiment: {name: rates, seed: 1, duration: 60s}
datacenter: {racks: 1, hosts_per_rack: 2, host: {cpus: 4, memory: 8GiB, nic: 10Gbit/s}}
vms:
  - {name: web, host: rack0/host0, vcpus: 1, memory: 1GiB, dirtying: {hot_set: 20MiB, hot_rate: 50000, cold_rate: 1000}}
migrations:
  - {vm: web, to: rack0/host1, at: 5s, scheme: precopy, policy: xen, max_rate: 1Gbit/s, max_rounds: 29}
sweep:
  migrations.0.max_rate: [1Gbit/s, 2.5Gbit/s, 10Gbit/s]
  migrations.0.max_rounds: [1, 2, 3, 4]
YAML
"$VDCSIM" run rates.yaml -o rates --svg >/dev/null 2>&1
svg=rates/downtime_vs_iterations.svg
check rates_plot_drawn [ -s $svg ]
texts $svg >rates.txt
for r in 1Gbit/s 2.5Gbit/s 10Gbit/s; do
    check "key_says_$r" grep -qx "$r" rates.txt
done
check no_rate_in_another_unit bash -c "! grep -q 'Mibit/s\|9536\|2384' rates.txt"
# The log axis: plain numbers at decades, no exponent notation.
check log_axis_plain_decades bash -c "grep -qx '0.1' rates.txt && grep -qx '1' rates.txt && ! grep -qE '^[0-9.]+ *([eE][-+]?[0-9]|x *10|×|\^)' rates.txt"
# One marker type per curve (3 rates), each marker on its own spot.
check one_marker_type_per_rate [ "$(markers $svg | cut -d' ' -f1 | sort -u | wc -l)" -eq 3 ]
check every_run_is_a_marker [ "$(markers $svg | wc -l)" -ge 12 ]
check no_marker_hides_another [ "$(overlaps $svg)" -eq 0 ]

# 2. The schemes: curves that coincide (hybrid and post-copy downtimes
# are equal) stay apart; memory tics are the sizes as written.
"$VDCSIM" run "$src/configs/clark/schemes.yaml" -o schemes --svg -j 2 >/dev/null 2>&1
svg=schemes/migration_schemes.svg
check schemes_plot_drawn [ -s $svg ]
eq=$(sqlite3 schemes/results.sqlite "SELECT count(*) FROM migrations a JOIN migrations b ON a.vm_memory_bytes = b.vm_memory_bytes AND a.scheme = 'hybrid' AND b.scheme = 'postcopy' AND a.downtime_ns = b.downtime_ns")
check schemes_have_coinciding_values [ "$eq" -ge 1 ]
check coinciding_schemes_stay_visible [ "$(overlaps $svg)" -eq 0 ]
check one_marker_type_per_scheme [ "$(markers $svg | cut -d' ' -f1 | sort -u | wc -l)" -eq 5 ]
texts $svg >schemes.txt
for m in 512MiB 1GiB 2GiB 4GiB; do
    check "memory_tic_$m" grep -qx "$m" schemes.txt
done
check no_memory_in_mib_numbers bash -c "! grep -qx '1024\|2048\|4096' schemes.txt"

# 3. Replications: points named by their swept values, migrations apart.
cat >rep.yaml <<'YAML'
experiment: {name: rep, seed: 1, duration: 60s}
datacenter: {racks: 1, hosts_per_rack: 4, host: {cpus: 4, memory: 4GiB, nic: 1Gbit/s}}
vms:
  - {name: web, host: rack0/host0, vcpus: 1, memory: 256MiB, page_writes: specweb}
  - {name: db, host: rack0/host2, vcpus: 1, memory: 256MiB, page_writes: specweb}
migrations:
  - {vm: web, to: rack0/host1, at: 10s, scheme: precopy, fidelity: page-exact, max_rate: 500Mibit/s}
  - {vm: db, to: rack0/host3, at: 10s, scheme: precopy, fidelity: page-exact, max_rate: 500Mibit/s}
sweep:
  migrations.*.max_rate: [256Mibit/s, 1Gbit/s]
replications: 3
YAML
"$VDCSIM" run rep.yaml -o rep --svg -j 2 >/dev/null 2>&1
svg=rep/replications.svg
check replications_plot_drawn [ -s $svg ]
texts $svg >rep.txt
check points_named_by_swept_values bash -c "grep -qx '256Mibit/s' rep.txt && grep -qx '1Gbit/s' rep.txt"
check one_marker_type_per_migration [ "$(markers $svg | cut -d' ' -f1 | sort -u | wc -l)" -eq 2 ]
check same_migrations_side_by_side [ "$(overlaps $svg)" -eq 0 ]

# 4. wws panels: a bandwidth given as 1Gbit/s is titled so.
"$VDCSIM" trace-gen quake3 -o q.pdt >/dev/null 2>&1
"$VDCSIM" wws q.pdt --bandwidth 128Mibit/s,1Gbit/s -o wws --svg >/dev/null 2>&1
texts wws/wws.svg >wws.txt
check wws_panel_titles bash -c "grep -qx '128Mibit/s' wws.txt && grep -qx '1Gbit/s' wws.txt && ! grep -q '953' wws.txt"

# 5. Placement bars are named by the swept policy, not 'run N'.
"$VDCSIM" run "$src/configs/placement.yaml" -o placement --svg >/dev/null 2>&1
texts placement/placement.svg >placement.txt
check placement_named_by_policy bash -c "grep -qx 'first-fit' placement.txt && grep -qx 'worst-fit' placement.txt && ! grep -q '^run ' placement.txt"

# 6. Time series, for one run: the migration time line (each round a bar,
# paused rounds red, each downtime labelled), link utilisation and host
# samples; a sweep of many runs draws none of them.
cat >one.yaml <<'YAML'
experiment: {name: one, seed: 42, duration: 120s, sample_interval: 5s}
datacenter: {racks: 1, hosts_per_rack: 4, host: {cpus: 4, memory: 4GiB, nic: 1Gbit/s}}
vms:
  - {name: web, host: rack0/host0, vcpus: 1, memory: 800MiB, dirtying: {hot_set: 20MiB, hot_rate: 50000, cold_rate: 1000}}
  - {name: db, host: rack0/host2, vcpus: 2, memory: 1GiB, dirtying: {hot_set: 60MiB, hot_rate: 20000, cold_rate: 1000}}
migrations:
  - {vm: web, to: rack0/host1, at: 10s, scheme: precopy, policy: xen, max_rate: 500Mibit/s}
  - {vm: db, to: rack0/host1, at: 20s, scheme: postcopy, max_rate: 500Mibit/s}
YAML
"$VDCSIM" run one.yaml -o one --svg >/dev/null 2>&1
db=one/results.sqlite
svg=one/migration_timeline.svg
check timeline_drawn [ -s $svg ]
texts $svg >timeline.txt
check timeline_rows_name_vm_and_scheme bash -c "grep -qx 'web (precopy)' timeline.txt && grep -qx 'db (postcopy)' timeline.txt"
check timeline_has_migrations [ "$(sqlite3 $db 'SELECT count(*) FROM migrations')" -gt 0 ]
check timeline_labels_each_downtime [ "$(grep -c '^downtime [0-9.]*m\?s$' timeline.txt)" -eq "$(sqlite3 $db 'SELECT count(*) FROM migrations')" ]
paused=$(sqlite3 $db 'SELECT count(*) FROM migration_rounds WHERE paused = 1')
live=$(sqlite3 $db 'SELECT count(*) FROM migration_rounds WHERE paused = 0')
check timeline_has_paused_rounds [ "$paused" -gt 0 ]
check timeline_has_live_rounds [ "$live" -gt 0 ]
# Bars are filled polygons; the key has one sample of each colour.
check timeline_one_red_bar_per_paused_round [ "$(grep -c "polygon fill = 'rgb(214,  39,  40)'" $svg)" -eq $((paused + 1)) ]
check timeline_one_blue_bar_per_live_round [ "$(grep -c "polygon fill = 'rgb( 74, 144, 217)'" $svg)" -eq $((live + 1)) ]
svg=one/link_utilisation.svg
check link_utilisation_drawn [ -s $svg ]
nbusy=$(sqlite3 $db 'SELECT count(*) FROM links WHERE bits > 0')
nsamp=$(sqlite3 $db 'SELECT count(*) FROM link_samples s JOIN links l USING (run_id, link) WHERE l.bits > 0')
check busy_links [ "$nbusy" -gt 0 ]
check busy_links_sampled [ "$nsamp" -gt 0 ]
check link_one_marker_type_per_busy_link [ "$(markers $svg | cut -d' ' -f1 | sort -u | wc -l)" -eq "$nbusy" ]
check link_one_marker_per_sample [ "$(markers $svg | wc -l)" -eq $((nsamp + nbusy)) ]
check link_no_marker_hides_another [ "$(overlaps $svg)" -eq 0 ]
check link_key_names_source_and_destination grep -qx 'rack0/host0 > rack0/tor' <(texts $svg)
svg=one/host_samples.svg
check host_samples_drawn [ -s $svg ]
nhost=$(sqlite3 $db 'SELECT count(DISTINCT host) FROM host_samples')
nrows=$(sqlite3 $db 'SELECT count(*) FROM host_samples')
check host_samples_hosts [ "$nhost" -gt 0 ]
check host_samples_rows [ "$nrows" -gt "$nhost" ]
# Two panels (memory, VMs): a marker per row but each host's last (its
# marker would sit past the end of the run) and a key sample per host each.
check host_one_marker_per_sample [ "$(markers $svg | wc -l)" -eq $((2 * (nrows - nhost + nhost))) ]
check host_no_marker_hides_another [ "$(overlaps $svg)" -eq 0 ]
"$VDCSIM" plot rates --list >rates_list.txt
for p in migration_timeline link_utilisation host_samples; do
    check "sweep_does_not_draw_$p" grep -q "^$p  *does not fit: needs one run" rates_list.txt
done
# The control loop's tables: host load and VM CPU, hotspots filled.
# (The config asks for no plots: vdcsim plot draws them.)
"$VDCSIM" run "$src/configs/sandpiper/staged-hotspot.yaml" -o sp >/dev/null 2>&1
"$VDCSIM" plot sp --svg >/dev/null 2>&1
db=sp/results.sqlite
check host_load_drawn [ -s sp/host_load.svg ]
check vm_load_drawn [ -s sp/vm_load.svg ]
hot=$(sqlite3 $db 'SELECT count(*) FROM host_intervals WHERE hot > 0')
check hotspots_to_mark [ "$hot" -gt 0 ]
check host_load_marks_every_hotspot [ "$(markers sp/host_load.svg | awk '$1 == 6' | wc -l)" -eq $((3 * hot)) ]
nvm=$(sqlite3 $db 'SELECT count(DISTINCT vm) FROM vm_intervals')
check vm_intervals_rows [ "$nvm" -gt 0 ]
check vm_load_one_marker_type_per_vm [ "$(markers sp/vm_load.svg | cut -d' ' -f1 | sort -u | wc -l)" -eq "$nvm" ]

# A config asks for plots by name (exactly those are drawn; one that does
# not fit is a warning) and names its own script, drawn from the audited
# copy in the results directory, with the terminal vdcsim sets.
cat >ask.yaml <<'YAML'
experiment: {name: ask, seed: 1, duration: 60s}
datacenter: {racks: 1, hosts_per_rack: 2, host: {cpus: 4, memory: 8GiB, nic: 10Gbit/s}}
vms:
  - {name: web, host: rack0/host0, vcpus: 1, memory: 1GiB, dirtying: {hot_set: 20MiB, hot_rate: 50000, cold_rate: 1000}}
migrations:
  - {vm: web, to: rack0/host1, at: 5s, scheme: precopy, policy: xen, max_rate: 1Gbit/s}
results:
  plots: [migration_timeline, migration_schemes]
  plot_scripts: [rounds.gp]
YAML
cat >rounds.gp <<'GP'
# The bytes sent in each pre-copy round.
set datafile separator comma
set datafile columnheaders
set title 'Bytes per round, from the config'
set xlabel 'round'
set ylabel 'MiB'
plot './migration_rounds.csv' using (column('round')):(column('bytes')/1048576.0) with linespoints title 'sent'
GP
cp rounds.gp rounds.orig
"$VDCSIM" run ask.yaml -o ask --svg >ask.out 2>ask.err
check asked_plot_drawn [ -s ask/migration_timeline.svg ]
check unasked_plots_not_drawn bash -c '[ ! -e ask/link_utilisation.svg ] && [ ! -e ask/host_samples.svg ]'
check asked_unfit_plot_warns grep -q "warning: results.plots asks for migration_schemes, which does not fit these results (needs migrations by more than one scheme): not drawn" ask.err
check own_script_drawn [ -s ask/rounds.svg ]
check own_script_title_in_svg grep -q "Bytes per round, from the config" ask/rounds.svg
check own_script_copied cmp rounds.orig ask/plot_scripts/rounds.gp
"$VDCSIM" plot ask --list >ask_list.txt 2>&1
check list_marks_asked grep -q "^migration_timeline  *fits (asked for by results.plots)" ask_list.txt
check list_marks_unasked grep -q "^link_utilisation  *fits (not asked for by results.plots)" ask_list.txt
check list_names_own_script grep -q "^rounds  *the config's own script" ask_list.txt
# vdcsim plot DIR redraws the same set, from the copy (the original gone).
rm -f ask/*.svg rounds.gp
"$VDCSIM" plot ask --svg >/dev/null 2>&1
check redraw_same_set bash -c '[ -s ask/migration_timeline.svg ] && [ -s ask/rounds.svg ] && [ ! -e ask/link_utilisation.svg ]'
# vdcsim plot DIR NAME... draws exactly the named plots, built-in or own,
# whatever the config asked for; a named plot that does not fit is a
# warning; an unknown name is exit 2 with a suggestion, and draws nothing.
rm -f ask/*.svg
"$VDCSIM" plot ask link_utilisation --svg >named.out 2>&1
check named_plot_drawn_alone bash -c '[ -s ask/link_utilisation.svg ] && [ ! -e ask/migration_timeline.svg ] && [ ! -e ask/rounds.svg ]'
rm -f ask/*.svg
"$VDCSIM" plot ask --svg rounds migration_schemes >named.out 2>&1
check named_own_script_drawn bash -c '[ -s ask/rounds.svg ] && [ ! -e ask/migration_timeline.svg ]'
check named_unfit_plot_warns grep -q "warning: the command line asks for migration_schemes, which does not fit these results" named.out
rm -f ask/*.svg
rc=0
"$VDCSIM" plot ask link_utilisaton --svg >named.out 2>&1 || rc=$?
check unknown_named_plot_exit_2 [ "$rc" -eq 2 ]
check unknown_named_plot_suggests grep -q "no plot named 'link_utilisaton' (did you mean 'link_utilisation'?)" named.out
check unknown_named_plot_draws_nothing bash -c '! ls ask/*.svg >/dev/null 2>&1'
# An unknown name is an error at its position, with a suggestion.
sed 's/migration_timeline, migration_schemes/migration_timelin/' ask.yaml >typo.yaml
rc=0
"$VDCSIM" validate typo.yaml >/dev/null 2>typo.err || rc=$?
check unknown_plot_name_exit_2 [ "$rc" -eq 2 ]
check unknown_plot_name_positioned grep -q "typo.yaml:8:11: results.plots: unknown plot 'migration_timelin' (did you mean 'migration_timeline'?" typo.err
# The sweep of a machine: experiment (plots/machine_sweep.gp): every
# non-native line its own colour and marker, native's rows (not drawn)
# taking none, so eight lines stay eight.
"$VDCSIM" run "$src/configs/machine/nested-paging.yaml" -o nested --svg -j 2 \
    --set machine.instructions=200000 --set machine.warmup=10000 >/dev/null 2>&1
svg=nested/machine_sweep.svg
check nested_sweep_drawn [ -s $svg ]
styles() { grep -o "<use xlink:href='#gpPt[0-9]*' transform='[^']*'[^>]*color='[^']*'" "$1" |
    sed "s/.*#gpPt\([0-9]*\)'.*color='\([^']*\)'/\1 \2/" | sort -u | wc -l; }
check nested_sweep_lines_differ [ "$(styles $svg)" -eq 8 ]

finish
