#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# schema suite: docs/results-schema.md documents exactly what real runs
# write. A run that writes every table (all model tables, the control
# loop's, traffic, replications for the summary) and a wws analysis are
# made; every table and column of their databases must be on the page with
# the same type and unit (as the database's own columns table says), every
# row of the page must exist in them, and every meta key must be named.
. "$(dirname "$0")/lib.sh"
cd "$work" || exit 1
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 1; }
doc="$VDCSIM_SOURCE_DIR/docs/"results-schema.md
check schema_page_exists [ -s "$doc" ]

cat >all.yaml <<'YAML'
experiment: {name: all, seed: 3, duration: 120s, sample_interval: 20s}
datacenter:
  host: {cpus: 4, memory: 16GiB, nic: 1Gbit/s}
  host_kinds: {big: {cpus: 8, power_model: ml110-g5}}
  racks: [{hosts: 3}, {hosts: 1, kind: big}]
policy: {name: sandpiper, interval: 10s}
vms:
  - {name: web, host: rack0/host0, vcpus: 2, memory: 512MiB, page_writes: specweb,
     demand: {kind: web, rate: 60, period: 600s, amplitude: 1, noise_cv: 0, service_time: 10ms, peak: 60s},
     traffic: [{to: db, rate: 100Mbit/s, start: 5s}]}
  - {name: db, host: rack1/host0, vcpus: 2, memory: 512MiB}
migrations:
  - {vm: web, to: rack0/host1, at: 10s, scheme: precopy, fidelity: page-exact, max_rate: 500Mibit/s}
results:
  tables: [hosts, vms, links, host_samples, link_samples, migrations, migration_rounds, traffic, host_intervals, vm_intervals, actions, energy, policy_metrics]
sweep:
  migrations.0.max_rate: [256Mibit/s, 1Gbit/s]
  migrations.0.max_rounds: [3, 29]
replications: 2
YAML
"$VDCSIM" run all.yaml -o all --no-plots >/dev/null 2>&1
check full_run_written [ -s all/results.sqlite ]
mkdir -p machines
cp "$VDCSIM_SOURCE_DIR/configs/machines/p4-xeon-2003.yaml" machines/
cat >m.yaml <<'YAML'
experiment: {name: m, seed: 3}
machine: {file: machines/p4-xeon-2003.yaml, workloads: [spec-cint], modes: [native, pv], instructions: 20000, warmup: 1000}
YAML
"$VDCSIM" run m.yaml -o mach --no-plots >/dev/null 2>&1
check machine_run_written [ -s mach/results.sqlite ]
"$VDCSIM" trace-gen quake3 -o q.pdt >/dev/null 2>&1
"$VDCSIM" wws q.pdt -o wws >/dev/null 2>&1
check wws_run_written [ -s wws/results.sqlite ]

# doc_rows FILE: "table column type unit" for every row of the page's
# column tables (unit '-' when empty; swept runs columns as PATH and
# PATH_TYPED, whose unit depends on the kind: '*').
doc_rows() {
    awk -F'|' '
        /^### `/ { t = $0; sub(/^### `/, "", t); sub(/`.*/, "", t); next }
        /^## / { t = ""; next }
        t != "" && /^\| `/ {
            c = $2; gsub(/[ `]/, "", c)
            ty = $3; gsub(/ /, "", ty)
            u = $4; gsub(/^ +| +$/, "", u)
            if (u == "") u = "-"
            if (c == "PATH_TYPED") u = "*"
            print t, c, ty, u
        }' "$1" | sort -u
}
# db_rows DB: the same for a database, from its tables (PRAGMA table_info)
# and its columns table (units; which runs columns are swept).
db_rows() {
    sqlite3 -separator ' ' "$1" "
        SELECT m.name,
               CASE WHEN m.name = 'runs' AND c.doc LIKE 'value of this swept parameter%' THEN 'PATH'
                    WHEN m.name = 'runs' AND c.doc LIKE 'the swept value above%' THEN 'PATH_TYPED'
                    ELSE p.name END,
               p.type,
               CASE WHEN m.name = 'runs' AND c.doc LIKE 'the swept value above%' THEN '*'
                    WHEN coalesce(c.unit, '') = '' THEN '-' ELSE c.unit END
        FROM sqlite_master m JOIN pragma_table_info(m.name) p
        LEFT JOIN columns c ON c.tbl = m.name AND c.col = p.name
        WHERE m.type = 'table'" | sort -u
}
# Both sides, and what differs: the lines only in one of them.
doc_rows "$doc" >doc.txt
{ db_rows all/results.sqlite; db_rows mach/results.sqlite; db_rows wws/results.sqlite; } | sort -u >db.txt
check page_has_column_tables [ "$(wc -l <doc.txt)" -gt 150 ]
check databases_have_every_kind_of_table bash -c "for t in runs configs meta columns hosts vms links host_samples link_samples migrations migration_rounds traffic host_intervals vm_intervals actions energy policy_metrics summary machine_runs wws dirty_rate dirty_rate_hist; do grep -q \"^\$t \" db.txt || exit 1; done"
comm -13 doc.txt db.txt >undocumented.txt
comm -23 doc.txt db.txt >unwritten.txt
check every_written_column_is_documented [ ! -s undocumented.txt ]
[ -s undocumented.txt ] && sed 's/^/  undocumented (table column type unit): /' undocumented.txt
check every_documented_column_is_written [ ! -s unwritten.txt ]
[ -s unwritten.txt ] && sed 's/^/  documented but not written: /' unwritten.txt
# Every table the databases hold has a section.
for t in $(cut -d' ' -f1 db.txt | sort -u); do
    grep -q "^### \`$t\`" "$doc" || fail "table_${t}_has_a_section" "no '### \`$t\`' in docs/results-schema.md"
done
# Every meta key is named on the page.
nkeys=0
for k in $( { sqlite3 all/results.sqlite 'SELECT key FROM meta'; sqlite3 wws/results.sqlite 'SELECT key FROM meta'; } | sort -u); do
    nkeys=$((nkeys + 1))
    grep -q "\`$k\`" "$doc" || fail "meta_key_${k}_documented" "meta key '$k' is not named in docs/results-schema.md"
done
check meta_keys_checked [ "$nkeys" -ge 5 ]

# The check itself can fail: a page without one column, or with one
# column too many, is caught.
grep -v '^| `stall_ns` |' "$doc" >less.page
doc_rows less.page >less.txt
check a_missing_column_is_caught [ "$(comm -13 less.txt db.txt)" = "migrations stall_ns INTEGER ns" ]
{ cat "$doc"; printf '### `migrations`\n| `teleport_ns` | INTEGER | ns | not a column |\n'; } >more.page
doc_rows more.page >more.txt
check an_extra_column_is_caught [ "$(comm -23 more.txt db.txt)" = "migrations teleport_ns INTEGER ns" ]
sed 's/^| `downtime_ns` | INTEGER | ns |/| `downtime_ns` | INTEGER | s |/' "$doc" >unit.page
doc_rows unit.page >unit.txt
check a_wrong_unit_is_caught [ -n "$(comm -13 unit.txt db.txt)" ]
finish
