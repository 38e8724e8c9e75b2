#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mpi suite: `mpirun -n 3 vdcsim run CONFIG --mpi` (rank 0 hands the runs
# out and merges) writes the same bytes as `vdcsim run -j 2`: the sqlite3
# .dump and every CSV. Skipped (77) when vdcsim was built without the meson
# feature mpi or mpirun is missing.
. "$(dirname "$0")/lib.sh"
if [ "${VDCSIM_MPI:-0}" != 1 ] || ! command -v mpirun >/dev/null; then
    echo "skipped: vdcsim built without MPI (meson setup -Dmpi=enabled) or no mpirun"
    exit 77
fi
cd "$work"
mpi() { timeout 600 mpirun -n "$1" --oversubscribe --allow-run-as-root "${@:2}"; }

# A sweep with replications that draw (page-exact migrations from a
# generator), so that the runs differ.
cat >sweep.yaml <<'YAML'
experiment: {name: sweep, seed: 7, duration: 20s}
datacenter:
  host_kinds: {big: {nic: 10Gbit/s}}
  racks: [{hosts: 2, kind: big}, {hosts: 2}]
vms:
  - {name: a, host: rack0/host0, memory: 64MiB,
     dirtying: {hot_set: 4MiB, hot_rate: 5000, cold_rate: 200}}
migrations:
  - {vm: a, to: rack1/host1, at: 1s, scheme: precopy, fidelity: page-exact}
sweep:
  migrations.0.max_rate: [100Mbit/s, 200Mbit/s, 400Mbit/s]
  migrations.0.max_rounds: [2, 5]
replications: 2
YAML
"$VDCSIM" run sweep.yaml -o j2 -j 2 >/dev/null 2>err.txt || fail j2_runs "$(cat err.txt)"
mpi 3 "$VDCSIM" run sweep.yaml -o m3 --mpi >out.txt 2>err.txt
check mpi_run_succeeds [ $? -eq 0 ]
check mpi_run_prints_once [ "$(grep -c '12 runs (6 points x 2 replications)' out.txt)" = 1 ]
same() {
    [ -s "$1/results.sqlite" ] && [ -s "$2/results.sqlite" ] || return 1
    cmp -s <(sqlite3 "$1/results.sqlite" .dump) <(sqlite3 "$2/results.sqlite" .dump) || return 1
    local f n=0
    for f in "$1"/*.csv; do
        cmp -s "$f" "$2/$(basename "$f")" || return 1
        n=$((n + 1))
    done
    [ "$n" -gt 5 ] && [ "$(ls "$1"/*.csv | wc -l)" = "$(ls "$2"/*.csv | wc -l)" ]
}
check mpi_3_ranks_same_bytes_as_j2 same j2 m3
check runs_differ_between_replications \
    [ "$(sqlite3 m3/results.sqlite "SELECT count(DISTINCT total_ns) FROM migrations")" -gt 6 ]

# --resume under mpirun: a run whose merge hit the file size limit keeps
# every point in DIR.partial; with all but two removed, the ranks rerun
# the rest and the results are the same bytes.
blocks=$(( ($(stat -c %s j2/results.sqlite) - 1) / 1024 ))
(trap '' XFSZ; ulimit -f "$blocks"; exec "$VDCSIM" run sweep.yaml -o res) >/dev/null 2>&1
check resume_setup_keeps_every_point [ -f res.partial/points/000012.sqlite ]
rm -f res.partial/points/0000{0[3-9],1[0-2]}.sqlite
mpi 3 "$VDCSIM" run --resume res --mpi >/dev/null 2>err.txt
check mpi_resume_same_bytes_as_j2 same j2 res

# One rank: rank 0 runs everything itself; the same bytes.
mpi 1 "$VDCSIM" run sweep.yaml -o m1 --mpi >/dev/null 2>err.txt
check mpi_1_rank_same_bytes_as_j2 same j2 m1

# More ranks than runs: the idle ones are stopped at once.
sed -e '/^sweep:/,$d' sweep.yaml >one.yaml
"$VDCSIM" run one.yaml -o one1 >/dev/null 2>&1
mpi 4 "$VDCSIM" run one.yaml -o one4 --mpi >/dev/null 2>err.txt
check mpi_more_ranks_than_runs same one1 one4

# A bad config: exit 2 from rank 0's message alone, nothing written.
printf 'datacenter: {racks: [{hosts: 1, kind: big}]}\n' >bad.yaml
rc=0
mpi 3 "$VDCSIM" run bad.yaml -o bad --mpi >out.txt 2>err.txt || rc=$?
check mpi_bad_config_fails [ "$rc" -ne 0 ]
check mpi_bad_config_message_once [ "$(grep -c "unknown host kind 'big'" err.txt)" = 1 ]
nothing_at() { [ ! -e "$1" ] && [ ! -e "$1.partial" ]; }
check mpi_bad_config_writes_nothing nothing_at bad

# --mpi with -j is refused before MPI starts.
rc=0
"$VDCSIM" run sweep.yaml -o x --mpi -j 2 >/dev/null 2>err.txt || rc=$?
check mpi_with_jobs_is_refused [ "$rc" = 2 ]
finish
