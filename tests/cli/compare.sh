#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# compare suite: vdcsim compare DIR_A DIR_B puts the metrics of two results
# directories side by side. Values are checked against the databases
# themselves (sqlite3), the significance column against the 95 %
# intervals the summary table holds, and bad directories exit 2.
. "$(dirname "$0")/lib.sh"
cd "$work" || exit 1
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 1; }

# A page-exact migration whose writes a generator draws: replications
# differ, so the summary has intervals.
cat >rep.yaml <<'YAML'
experiment: {name: rep, seed: 1, duration: 60s}
datacenter: {racks: 1, hosts_per_rack: 2, host: {cpus: 4, memory: 4GiB, nic: 1Gbit/s}}
vms:
  - {name: web, host: rack0/host0, vcpus: 1, memory: 256MiB, page_writes: specweb}
migrations:
  - {vm: web, to: rack0/host1, at: 10s, scheme: precopy, fidelity: page-exact, max_rate: 500Mibit/s}
sweep:
  migrations.0.max_rate: [256Mibit/s, 500Mibit/s]
replications: 4
YAML
run() { "$VDCSIM" run "$@" -j 2 --no-plots >/dev/null 2>&1; }
run rep.yaml -o a
run rep.yaml -o a2
run rep.yaml -o b --seed 9
# The same sweep with a smaller VM: every migration metric moves far.
run rep.yaml -o small --set vms.0.memory=128MiB
# One replication (no summary table) and a sweep that shares one point.
run rep.yaml -o one --set replications=1
sed 's/\[256Mibit\/s, 500Mibit\/s\]/[500Mibit\/s, 1Gibit\/s]/' rep.yaml >other.yaml
run other.yaml -o one_other --set replications=1
for d in a small one_other; do
    check "runs_were_written_$d" [ -s "$d/results.sqlite" ]
done

# 1. Identical directories: nothing changed, and every row says so.
"$VDCSIM" compare a a2 >same.txt; rc=$?
check identical_dirs_exit_0 [ $rc -eq 0 ]
check identical_dirs_have_no_changes [ "$("$VDCSIM" compare a a2 --changed | tail -n 1)" = "(no differences)" ]
nrows=$(sqlite3 a/results.sqlite "SELECT count(*) FROM summary WHERE mean IS NOT NULL")
check every_summary_row_is_compared [ "$(($(wc -l <same.txt) - 1))" -eq "$nrows" ]

# 2. CSV: the means are the summary's, the difference is b - a, the
# relative difference (b - a) / |a|; the header names the columns.
"$VDCSIM" compare a b --csv >ab.csv
check csv_header [ "$(head -n 1 ab.csv | tr -d '\r')" = "point,table,entity,metric,unit,a,b,diff,rel_diff,exceeds" ]
check csv_has_crlf_line_ends grep -q $'\r$' ab.csv
q() { sqlite3 "$1/results.sqlite" "SELECT printf('%.17g', mean) FROM summary WHERE point = $2 AND tbl = 'migrations' AND metric = '$3'"; }
row=$(tr -d '\r' <ab.csv | awk -F, '$1 == "migrations.0.max_rate=500Mibit/s" && $4 == "downtime_ns"')
ma=$(q a 1 downtime_ns) mb=$(q b 1 downtime_ns)
check csv_a_is_the_summary_mean awk -v x="$(echo "$row" | cut -d, -f6)" -v y="$ma" 'BEGIN { exit !(x == y) }'
check csv_b_is_the_summary_mean awk -v x="$(echo "$row" | cut -d, -f7)" -v y="$mb" 'BEGIN { exit !(x == y) }'
check csv_diff_is_b_minus_a awk -v d="$(echo "$row" | cut -d, -f8)" -v a="$ma" -v b="$mb" 'BEGIN { exit !(d == b - a) }'
check csv_rel_diff_is_relative awk -v r="$(echo "$row" | cut -d, -f9)" -v a="$ma" -v b="$mb" 'BEGIN { x = (b - a) / a; exit !(r - x < 1e-12 && x - r < 1e-12) }'
check seeds_change_the_means [ "$ma" != "$mb" ]

# 3. 'exceeds': computed here from the intervals of both summaries.
"$VDCSIM" compare a small --csv | tr -d '\r' >as.csv
want=$(sqlite3 -separator ' ' a/results.sqlite "ATTACH 'small/results.sqlite' AS s;
  SELECT CASE WHEN x.ci95_high < y.ci95_low OR y.ci95_high < x.ci95_low THEN 'yes' ELSE 'no' END
  FROM summary x JOIN s.summary y USING (point, tbl, entity, metric)
  WHERE x.tbl = 'migrations' AND x.metric = 'total_ns' ORDER BY x.point")
got=$(awk -F, '$3 == "migration=0 vm=web" && $4 == "total_ns" { print $10 }' as.csv)
check exceeds_matches_the_intervals [ "$got" = "$want" ]
check a_smaller_vm_exceeds_the_intervals [ "$(echo $got)" = "yes yes" ]
got=$(awk -F, '$1 ~ /500Mibit/ && $4 == "downtime_ns" { print $10 }' ab.csv | tr -d '\r')
want=$(sqlite3 a/results.sqlite "ATTACH 'b/results.sqlite' AS s;
  SELECT CASE WHEN x.ci95_high < y.ci95_low OR y.ci95_high < x.ci95_low THEN 'yes' ELSE 'no' END
  FROM summary x JOIN s.summary y USING (point, tbl, entity, metric)
  WHERE x.point = 1 AND x.tbl = 'migrations' AND x.metric = 'downtime_ns'")
check another_seed_exceeds_as_the_intervals_say [ "$got" = "$want" ]

# 4. Without a summary table the values come from the run tables, one
# replication: no interval, so 'exceeds' is '-'; points are matched by
# their swept values, the others shown on one side only.
check one_replication_has_no_summary [ -z "$(sqlite3 one/results.sqlite "SELECT name FROM sqlite_master WHERE name = 'summary'")" ]
rc=0; "$VDCSIM" compare one one_other --csv >oo.raw || rc=$?
tr -d '\r' <oo.raw >oo.csv
check compare_without_summary_exits_0 [ $rc -eq 0 ]
d500=$(sqlite3 one/results.sqlite "SELECT m.downtime_ns FROM migrations m JOIN runs r USING (run_id) WHERE r.\"migrations.0.max_rate\" = '500Mibit/s'")
check value_from_the_migrations_table awk -F, -v w="$d500" '$1 == "migrations.0.max_rate=500Mibit/s" && $4 == "downtime_ns" { found = ($6 == w && $7 == w && $8 == 0 && $10 == "-") } END { exit !found }' oo.csv
check a_point_only_in_a awk -F, '$1 == "migrations.0.max_rate=256Mibit/s" && $4 == "downtime_ns" { found = ($7 == "" && $10 == "only A") } END { exit !found }' oo.csv
check a_point_only_in_b awk -F, '$1 == "migrations.0.max_rate=1Gibit/s" && $4 == "downtime_ns" { found = ($6 == "" && $10 == "only B") } END { exit !found }' oo.csv
check compare_leaves_the_dirs_as_they_were [ -z "$(sqlite3 one/results.sqlite "SELECT name FROM sqlite_master WHERE name = 'summary'")" ]
check compare_leaves_no_temporary [ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'vdcsim-compare-*' -user "$(id -u)" -newer rep.yaml 2>/dev/null)" ]
# A replicated directory against a single run: the single mean is
# checked against the replicated interval.
"$VDCSIM" compare a one --csv | tr -d '\r' >a1.csv
check single_against_interval awk -F, '$4 == "total_ns" && $3 != "" { n++; if ($10 != "yes" && $10 != "no") bad = 1 } END { exit !(n == 2 && !bad) }' a1.csv
# --changed keeps exactly the rows that differ.
nchanged=$("$VDCSIM" compare a b --changed --csv | tail -n +2 | wc -l)
ndiff=$(awk -F, 'NR > 1 && $8 != 0' ab.csv | wc -l)
check some_rows_differ [ "$ndiff" -gt 0 ]
check changed_keeps_the_differing_rows [ "$nchanged" -eq "$ndiff" ]
# The text table lines its columns up under the header.
check text_table_aligns bash -c "'$VDCSIM' compare a b | awk 'NR == 1 { p = index(\$0, \"exceeds\"); if (!p) bad = 1 } NR > 1 && substr(\$0, p - 2, 2) != \"  \" { bad = 1 } END { exit bad || NR < 2 }'"

# 5. Bad directories and usage: exit 2, a message naming the problem.
mkdir empty
echo 'not sqlite' >notdb.txt; mkdir notdb; cp notdb.txt notdb/results.sqlite
expect2() { # NAME PATTERN ARGS...
    local name=$1 pat=$2 rc=0; shift 2
    "$VDCSIM" compare "$@" >out.txt 2>err.txt || rc=$?
    check "${name}_exits_2" [ $rc -eq 2 ]
    check "${name}_says_why" grep -q -- "$pat" err.txt
    check "${name}_prints_nothing" [ ! -s out.txt ]
}
expect2 missing_dir "'nosuch' is not a directory" a nosuch
expect2 dir_without_results "'empty' is not a results directory (expected its results.sqlite" empty a
expect2 damaged_database "notdb/results.sqlite: not the results of vdcsim run" a notdb
expect2 one_dir "expected two results directories" a
expect2 unknown_option "unknown option '--bogus'" a b --bogus
"$VDCSIM" compare --help >help.txt
check help_lists_exit_statuses grep -q "^Exit status: 0 compared" help.txt
check help_command_shows_compare bash -c "'$VDCSIM' help compare | cmp -s - help.txt"
check main_help_lists_compare bash -c "'$VDCSIM' --help | grep -q '^  compare DIR_A DIR_B'"
finish
