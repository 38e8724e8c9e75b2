#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sweeps suite: large sweeps are checked one point at a time in bounded
# memory; --set may not set what a sweep sets; replication seeds repeat a
# run alone; each distinct config is stored once; --no-csv, --no-plots,
# results.csv/plots; --allow-large. (Bad sweeps and refused bounds are in
# tests/cli/bad/, run by the config_errors suite.)
. "$(dirname "$0")/lib.sh"
good=$VDCSIM_TEST_SRCDIR/cli/good.yaml
cd "$work" || exit 1

# sweep_config FILE N M [EXTRA]: N seeds x M durations over a small config.
sweep_config() {
    local seeds durs
    seeds=$(seq -s ', ' 0 $(($2 - 1)))
    durs=$(seq -s ', ' 10 $((9 + $3)) | sed 's/\([0-9][0-9]*\)/\1s/g')
    cat >"$1" <<YAML
experiment: {name: sw, seed: 1, duration: 10s, sample_interval: 5s}
datacenter: {racks: 1, hosts_per_rack: 2, host: {cpus: 8, memory: 16GiB}}
vms:
  - {name: a, memory: 4GiB, vcpus: 2}
${4:-}
sweep:
  experiment.seed: [$seeds]
  experiment.duration: [$durs]
YAML
}

# 1. 100,000 points validate in bounded memory (building every point's
# config up front took about 10 GB here).
sweep_config sw100k.yaml 1000 100
# (Under AddressSanitizer, freed memory waits in a quarantine of up to
# 256 MB by default; a small one keeps the figure about vdcsim.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4 \
    /usr/bin/time -f %M -o rss.txt "$VDCSIM" validate sw100k.yaml >v.txt 2>v.err
check validate_100000_points [ "$(head -n 1 v.txt)" = "sw100k.yaml: valid: 100000 runs (100000 points x 1 replication), 2 hosts, 1 VMs" ]
rss=$(tail -n 1 rss.txt)
check validate_100000_points_in_bounded_memory [ "$rss" -lt 200000 ]
check validate_prints_the_summed_estimate grep -q "^  estimate, summed over all 100000 runs: at least 1250000 events, 3400000 to 3400000 rows" v.txt

# 2. --set on what a sweep sets is refused at --set:1:1, and its value is
# still checked; --set paths must be UTF-8.
rc=0
"$VDCSIM" validate "$good" --set datacenter.host.memory=lots 2>set.err >/dev/null || rc=$?
check set_on_a_swept_key_exits_2 [ $rc -eq 2 ]
check set_on_a_swept_key_is_refused_at_set grep -q "^--set:1:1: override 'datacenter.host.memory' sets what sweep axis 'datacenter.host.memory' ([^)]*good.yaml:13:3) sets at every point" set.err
check set_on_a_swept_key_still_checks_its_value grep -q "^--set:1:24: datacenter.host.memory: expected a size such as 512MiB, got 'lots'" set.err
rc=0
"$VDCSIM" validate "$good" --set datacenter.host=x 2>set2.err >/dev/null || rc=$?
check set_above_a_swept_key_is_refused [ $rc -eq 2 ]
check set_above_a_swept_key_says_why grep -q "^--set:1:1: override 'datacenter.host' sets what sweep axis" set2.err
rc=0
"$VDCSIM" validate "$good" --set datacenter.host.cpus=16 >/dev/null 2>&1 || rc=$?
check set_beside_a_swept_key_is_fine [ $rc -eq 0 ]
for cmd in validate run; do
    rc=0
    "$VDCSIM" $cmd "$good" --set "$(printf 'experim\xe9nt.name=x')" >utf.out 2>utf.err || rc=$?
    check "${cmd}_set_path_not_utf8_exits_2" [ $rc -eq 2 ]
    check "${cmd}_set_path_not_utf8_is_positioned" [ "$(cat utf.err)" = "--set:1:8: invalid UTF-8 byte 0xe9 (expected UTF-8 text)" ]
done
check set_not_utf8_writes_nothing [ ! -e results ]

# 3. Seeds: runs.seed of any replication, given to --seed with
# replications: 1, repeats that run alone. The guest draws page-exact
# writes from a generator, so replications differ.
cat >rnd.yaml <<'YAML'
experiment: {name: rnd, seed: 41, duration: 2s, sample_interval: 1s}
datacenter: {racks: 1, hosts_per_rack: 2, host: {memory: 4GiB, nic: 1Gbit/s}}
vms:
  - {name: g, host: rack0/host0, memory: 64MiB, page_writes: quake3}
migrations:
  - {vm: g, to: rack0/host1, at: 500ms, fidelity: page-exact}
sweep:
  migrations.0.max_rate: [500Mbit/s, 1Gbit/s]
replications: 3
YAML
"$VDCSIM" run rnd.yaml -o rnd --no-plots >/dev/null 2>rnd.err || fail rnd_run "$(cat rnd.err)"
check random_replications_do_not_warn [ ! -s rnd.err ]
q='SELECT total_ns, downtime_ns, rounds, bytes FROM migrations m JOIN runs r ON r.run_id = m.run_id'
seed2=$(sqlite3 rnd/results.sqlite "SELECT seed FROM runs WHERE point = 1 AND replication = 2")
check replication_seed_is_a_valid_seed [ -n "$seed2" ]
check replication_seed_is_a_number [ "$seed2" -ge 0 ]
check replications_differ [ "$(sqlite3 rnd/results.sqlite "SELECT count(DISTINCT downtime_ns || ' ' || bytes) FROM migrations m JOIN runs r USING (run_id) WHERE point = 1")" = 3 ]
# The same point alone: its swept value in place of the sweep.
sed -e '/^sweep:/,$d' -e 's/fidelity: page-exact}/fidelity: page-exact, max_rate: 1Gbit\/s}/' rnd.yaml >alone.yaml
"$VDCSIM" run alone.yaml -o alone --seed "$seed2" --no-csv >/dev/null 2>alone.err || fail alone_run "$(cat alone.err)"
check seed_of_replication_2_runs_alone [ "$(sqlite3 alone/results.sqlite "SELECT seed FROM runs")" = "$seed2" ]
check seed_of_replication_2_repeats_its_rows [ "$(sqlite3 alone/results.sqlite "$q")" = "$(sqlite3 rnd/results.sqlite "$q WHERE point = 1 AND replication = 2")" ]
for cmd in validate run; do
    "$VDCSIM" $cmd "$good" --no-plots -o "$work/warn-$cmd" >/dev/null 2>warn.err || "$VDCSIM" $cmd "$good" >/dev/null 2>warn.err
    check "${cmd}_warns_of_identical_replications" grep -q "good.yaml:14:15: warning: replications: 2 replications of a config that draws no random numbers are identical" warn.err
done

# 4. Output volume: a 10-point sweep x 10 replications of a 200-VM config
# stores each of its 10 configs once, not in each of its 100 runs rows.
{
    echo "experiment: {name: vol, seed: 1, duration: 10s, sample_interval: 10s}"
    echo "datacenter: {racks: 4, hosts_per_rack: 10, host: {memory: 64GiB}}"
    echo "results: {tables: [hosts]}"
    echo "vms:"
    for i in $(seq 1 200); do echo "  - {name: vm$i, memory: 1GiB}"; done
    echo "sweep:"
    echo "  experiment.seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
    echo "replications: 10"
} >vol.yaml
"$VDCSIM" run vol.yaml -o vol --no-csv >/dev/null 2>vol.err || fail vol_run "$(cat vol.err)"
db=vol/results.sqlite
check configs_once_per_distinct_text [ "$(sqlite3 $db "SELECT count(*), count(DISTINCT text) FROM configs")" = "10|10" ]
check runs_reference_configs [ "$(sqlite3 $db "SELECT count(*) FROM runs JOIN configs ON hash = config_hash")" = 100 ]
check runs_have_no_config_column [ "$(sqlite3 $db "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'config'")" = 0 ]
# The whole database is smaller than the config text the runs rows held.
total=$(sqlite3 $db "SELECT sum(length(text)) FROM runs JOIN configs ON hash = config_hash")
check results_smaller_than_a_config_per_run [ "$(stat -c %s $db)" -lt "$total" ]
check no_csv_writes_no_csv [ -z "$(ls vol/*.csv 2>/dev/null)" ]
check no_csv_still_keeps_the_config [ -s vol/config.yaml ]

# results.csv: false and results.plots: false act as the options.
sweep_config nocsv.yaml 2 2 "results: {csv: false}"
"$VDCSIM" run nocsv.yaml -o nocsv >nocsv.out 2>/dev/null
check results_csv_false_writes_no_csv [ -z "$(ls nocsv/*.csv 2>/dev/null)" ]
check results_csv_false_says_so grep -q "results.sqlite (no CSV files, no plots)" nocsv.out
sweep_config noplots.yaml 2 2 "results: {plots: false}"
"$VDCSIM" run noplots.yaml -o noplots >noplots.out 2>/dev/null
check results_plots_false_keeps_csv [ -s noplots/runs.csv ]
check results_plots_false_draws_nothing [ -z "$(ls noplots/*.png noplots/*.svg 2>/dev/null)" ]
"$VDCSIM" run "$good" -o noplotsopt --no-plots >noplotsopt.out 2>/dev/null
check no_plots_option_draws_nothing [ -z "$(ls noplotsopt/*.png noplotsopt/*.svg 2>/dev/null)" ]
check no_plots_option_says_so grep -q "CSV files (no plots)" noplotsopt.out

# A 100-point sweep: the same bytes for -j 1 and -j 2.
sweep_config sw100.yaml 10 10
"$VDCSIM" run sw100.yaml -o j1 -j 1 --no-plots >/dev/null 2>&1
"$VDCSIM" run sw100.yaml -o j2 -j 2 --no-plots >/dev/null 2>&1
check j1_j2_same_database cmp -s j1/results.sqlite j2/results.sqlite
same=1
for f in j1/*.csv; do cmp -s "$f" "j2/$(basename "$f")" || same=0; done
check j1_wrote_runs_csv [ -s j1/runs.csv ]
check j1_j2_same_csv [ $same = 1 ]
check sweep_configs_one_per_point [ "$(sqlite3 j1/results.sqlite "SELECT count(*) FROM configs")" = 100 ]

# A single run needs no merge: its database has the meta rows, one runs
# row and its config, and the same rows as the same run inside a sweep.
# (Point 0 of sw100.yaml: seed 0, 10 s.)
sweep_config single.yaml 1 1
"$VDCSIM" run single.yaml -o single --no-plots >/dev/null 2>&1
check single_run_has_meta [ "$(sqlite3 single/results.sqlite "SELECT value FROM meta WHERE key = 'points'")" = 1 ]
check single_run_has_its_config [ "$(sqlite3 single/results.sqlite "SELECT count(*) FROM runs JOIN configs ON hash = config_hash")" = 1 ]
hq='SELECT time_ns, host, vms, memory_committed_bytes FROM host_samples ORDER BY rowid'
check single_run_has_host_samples [ -n "$(sqlite3 single/results.sqlite "$hq")" ]
check single_run_rows_as_in_the_sweep [ "$(sqlite3 single/results.sqlite "$hq")" = "$(sqlite3 j1/results.sqlite "SELECT time_ns, host, vms, memory_committed_bytes FROM host_samples WHERE run_id = 1 ORDER BY rowid")" ]
check single_run_leaves_no_points [ ! -e single/points ]

# 5. --allow-large lets validate accept what the bounds refuse.
bad=$VDCSIM_TEST_SRCDIR/cli/bad
for n in bounds_long_duration bounds_fine_host_sampling bounds_in_one_sweep_point; do
    rc=0
    "$VDCSIM" validate "$bad/$n.yaml" --allow-large >/dev/null 2>&1 || rc=$?
    check "${n}_accepted_with_allow_large" [ $rc -eq 0 ]
done


# Shards: vdcsim run --shard I/N on any machines, then vdcsim merge, gives
# the bytes of one run: results.sqlite, CSVs and plots. Page-exact
# dirtying draws random numbers, so seeds and replications matter.
mkdir -p shards && cd shards
cat >s.yaml <<'YAML'
experiment: {name: shards, duration: 30s, seed: 7}
datacenter: {racks: 2, hosts_per_rack: 2}
vms:
  - {name: web, host: rack0/host0, memory: 256MiB, page_writes: specweb}
migrations:
  - {vm: web, to: rack1/host0, at: 1s, fidelity: page-exact}
sweep:
  migrations.0.max_rate: [128Mibit/s, 256Mibit/s, 512Mibit/s]
replications: 2
YAML
"$VDCSIM" run s.yaml -o whole >/dev/null 2>err.txt || fail shards_whole_run "$(cat err.txt)"
for i in 1 2 3 4; do
    "$VDCSIM" run s.yaml --shard $i/4 -o sh$i -j 2 >out$i.txt 2>err.txt || fail "shard_${i}_runs" "$(cat err.txt)"
done
check shard_1_keeps_runs_1_and_5_only [ "$(cd sh1/points && ls *.sqlite | tr '\n' ' ')" = "000001.sqlite 000005.sqlite " ]
check shard_says_how_to_merge grep -q "merge the 4 shards with: vdcsim merge" out1.txt
"$VDCSIM" merge merged sh3 sh1 sh4 sh2 >/dev/null 2>err.txt || fail shards_merge "$(cat err.txt)"
check merged_shards_are_the_whole_run_byte_for_byte diff -r whole merged
check merged_shards_dump_the_same [ "$(sqlite3 whole/results.sqlite .dump | md5sum)" = "$(sqlite3 merged/results.sqlite .dump | md5sum)" ]
check merge_leaves_the_shards [ -f sh1/points/000001.sqlite ]
# A shard interrupted and resumed stays a shard: only its missing run is
# run again, and the merge is still the whole run.
mv sh2 sh2.partial && rm sh2.partial/points/000006.sqlite
"$VDCSIM" run --resume sh2 >out.txt 2>err.txt || fail shard_resumes "$(cat err.txt)"
check resumed_shard_is_still_a_shard grep -q "shard 2/4: 2 of the 6 runs" out.txt
check resumed_shard_ran_only_its_own_runs [ "$(cd sh2/points && ls *.sqlite | tr '\n' ' ')" = "000002.sqlite 000006.sqlite " ]
"$VDCSIM" merge merged2 sh1 sh2 sh3 sh4 >/dev/null 2>err.txt || fail shards_merge_after_resume "$(cat err.txt)"
check merge_after_a_resume_is_the_whole_run diff -r whole merged2
# What merge refuses, with exit status 2 and nothing written.
sed 's/seed: 7/seed: 8/' s.yaml >t.yaml
"$VDCSIM" run t.yaml --shard 2/4 -o other >/dev/null 2>&1
cp -r sh2 sh2b && rm sh2b/points/000002.sqlite
cp -r sh2 sh2c && echo garbage >sh2c/points/000006.sqlite
merge_refuses() { # NAME EXPECTED-MESSAGE DIR...
    local name=$1 want=$2 rc=0
    shift 2
    "$VDCSIM" merge bad "$@" >/dev/null 2>err.txt || rc=$?
    check "merge_refuses_$name" [ $rc -eq 2 ]
    check "merge_refuses_${name}_saying_why" grep -qF "$want" err.txt
    check "merge_refuses_${name}_writing_nothing" [ ! -e bad ]
    check "merge_refuses_${name}_leaving_no_partial" [ ! -e bad.partial ]
}
merge_refuses a_missing_shard "shard 4/4 is missing (expected all 4 shards)" sh1 sh2 sh3
merge_refuses a_shard_twice "'sh3' and 'sh3' are both shard 3/4" sh1 sh2 sh3 sh3
merge_refuses a_whole_run "'whole' is not a shard" whole sh1
merge_refuses another_config "'other' ran another config than 'sh1'" sh1 other sh3 sh4
merge_refuses a_missing_run "run 2 of shard 2/4: 'sh2b/points/000002.sqlite': no such file" sh1 sh2b sh3 sh4
merge_refuses a_damaged_run "run 6 of shard 2/4: 'sh2c/points/000006.sqlite': sqlite: file is not a database" sh1 sh2c sh3 sh4
# A config's own plot script (results.plot_scripts) travels with the
# shards: each keeps the audited copy, merge takes it from there (the
# original gone) and OUT is the whole run byte for byte, plot_scripts/ and
# the drawn plot included; vdcsim plot OUT draws it again. Shards whose
# copies differ, miss one, hold another script or a copy the audit
# refuses are refused (exit 2, nothing written, no canary).
sed 's/name: shards/name: own/' s.yaml >o.yaml
mkdir -p own && mv o.yaml own/ && cd own
top=$PWD
cat >>o.yaml <<'YAML'
results: {plot_scripts: [rounds.gp]}
YAML
cat >rounds.gp <<'GP'
set datafile separator comma
set datafile columnheaders
set title 'Rounds of every run'
plot './migration_rounds.csv' using (column('round')):(column('bytes')) with points title 'sent'
GP
"$VDCSIM" run o.yaml -o whole --svg >/dev/null 2>err.txt || fail own_whole_run "$(cat err.txt)"
check own_whole_run_draws_the_script grep -q "Rounds of every run" whole/rounds.svg
for i in 1 2 3; do
    mkdir -p m$i && cp o.yaml rounds.gp m$i/
    (cd m$i && "$VDCSIM" run o.yaml --shard $i/3 -o "$top/sh$i" >/dev/null 2>err.txt) || fail "own_shard_${i}_runs" "$(cat m$i/err.txt)"
done
rm rounds.gp m*/rounds.gp
"$VDCSIM" merge merged sh2 sh3 sh1 --svg >/dev/null 2>err.txt || fail own_shards_merge "$(cat err.txt)"
check merge_keeps_the_own_script cmp whole/plot_scripts/rounds.gp merged/plot_scripts/rounds.gp
check merge_draws_the_own_script grep -q "Rounds of every run" merged/rounds.svg
check merged_own_script_run_is_the_whole_run_byte_for_byte diff -r whole merged
check merged_own_script_run_dumps_the_same [ "$(sqlite3 whole/results.sqlite .dump | md5sum)" = "$(sqlite3 merged/results.sqlite .dump | md5sum)" ]
rm merged/*.svg
"$VDCSIM" plot merged --svg >/dev/null 2>err.txt || fail own_merged_plot "$(cat err.txt)"
check plot_of_merged_draws_the_own_script cmp whole/rounds.svg merged/rounds.svg
"$VDCSIM" plot merged --list >list.txt 2>&1
check plot_list_of_merged_names_the_own_script grep -q "^rounds  *the config's own script" list.txt
cp -r sh2 sh2d && sed -i 's/Rounds of every run/Other title/' sh2d/plot_scripts/rounds.gp
cp -r sh2 sh2e && rm sh2e/plot_scripts/rounds.gp
cp -r sh2 sh2f && cp sh2/plot_scripts/rounds.gp sh2f/plot_scripts/extra.gp
cp -r sh2 sh2g && echo 'system("touch canary")' >>sh2g/plot_scripts/rounds.gp
merge_refuses differing_own_scripts "'sh2d' and 'sh1' hold different copies of plot_scripts/rounds.gp" sh1 sh2d sh3
merge_refuses a_missing_own_script "'sh2e' lacks a valid copy of the config's plot scripts" sh1 sh2e sh3
merge_refuses another_own_script "sh2f/plot_scripts/extra.gp: a plot script the config's results.plot_scripts does not name" sh1 sh2f sh3
merge_refuses a_hostile_own_script_copy "'sh2g' lacks a valid copy of the config's plot scripts" sh1 sh2g sh3
check merge_of_a_hostile_copy_runs_nothing [ ! -e canary ]
cd ..
for bad_shard in 0/4 5/4 1/4x 1/0 -1/2; do
    rc=0; "$VDCSIM" run s.yaml --shard "$bad_shard" -o x >/dev/null 2>&1 || rc=$?
    check "run_refuses_shard_${bad_shard//\//_of_}" [ $rc -eq 2 ]
done
cd ..


# zip: lists varied together; '*' sets a field of every entry of a list.
cat >zip.yaml <<'YAML'
experiment: {name: zip, duration: 20s}
datacenter: {racks: 2, hosts_per_rack: 2}
vms:
  - {name: a, host: rack0/host0, memory: 256MiB}
  - {name: b, host: rack0/host1, memory: 256MiB}
migrations:
  - {vm: a, to: rack1/host0, at: 1s}
  - {vm: b, to: rack1/host1, at: 1s}
sweep:
  migrations.*.scheme: [precopy, stop-and-copy]
  zip:
    vms.0.memory: [128MiB, 256MiB, 512MiB]
    migrations.0.max_rate: [100Mibit/s, 200Mibit/s, 400Mibit/s]
YAML
"$VDCSIM" run zip.yaml -o zip --no-plots >/dev/null 2>err.txt || fail zip_runs "$(cat err.txt)"
zq() { sqlite3 zip/results.sqlite "$1"; }
check zip_makes_2_x_3_points [ "$(zq "SELECT count(*) FROM runs")" = 6 ]
check zip_varies_its_lists_together [ "$(zq "SELECT group_concat(\"vms.0.memory\" || '@' || \"migrations.0.max_rate\", ' ') FROM runs WHERE point < 3")" = "128MiB@100Mibit/s 256MiB@200Mibit/s 512MiB@400Mibit/s" ]
check star_sets_every_migration [ "$(zq "SELECT count(*) FROM migrations m JOIN runs r USING (run_id) WHERE m.scheme = r.\"migrations.*.scheme\"")" = 12 ]
check zip_values_reach_the_model [ "$(zq "SELECT group_concat(vm_memory_bytes, ' ') FROM migrations WHERE vm = 'a' AND run_id <= 3")" = "134217728 268435456 536870912" ]

# Typed twins of swept columns: numbers in base units, REAL, with units.
check typed_columns_hold_base_units [ "$(zq "SELECT group_concat(vms_0_memory_bytes || '/' || migrations_0_max_rate_bps, ' ') FROM runs WHERE point < 3")" = "134217728.0/104857600.0 268435456.0/209715200.0 536870912.0/419430400.0" ]
check typed_columns_are_documented_with_units [ "$(zq "SELECT group_concat(col || ':' || type || ':' || unit, ' ') FROM columns WHERE tbl = 'runs' AND col LIKE '%\_b%' ESCAPE '\\'")" = "vms_0_memory_bytes:REAL:B migrations_0_max_rate_bps:REAL:bit/s" ]
check a_swept_word_has_no_typed_twin [ "$(zq "SELECT count(*) FROM columns WHERE tbl = 'runs' AND col LIKE 'migrations_all%'")" = 0 ]
check no_column_is_named_from_or_to [ "$(zq "SELECT count(*) FROM columns WHERE col IN ('from', 'to')")" = 0 ]

finish
