#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# determinism suite: the same config and seed give identical CSV bytes and an
# identical `sqlite3 .dump`, run after run and for any -j; another seed gives
# another run table.
. "$(dirname "$0")/lib.sh"
good=$VDCSIM_TEST_SRCDIR/cli/good.yaml
default=$VDCSIM_SOURCE_DIR/configs/default.yaml

# same_output NAME DIR1 DIR2: the dumps and every CSV are byte-identical.
same_output() {
    local name=$1 a=$2 b=$3 f ok=1
    sqlite3 "$a/results.sqlite" .dump >"$a.dump"
    sqlite3 "$b/results.sqlite" .dump >"$b.dump"
    cmp -s "$a.dump" "$b.dump" || ok=0
    [ "$(cd "$a" && ls ./*.csv)" = "$(cd "$b" && ls ./*.csv)" ] || ok=0
    for f in "$a"/*.csv; do cmp -s "$f" "$b/$(basename "$f")" || ok=0; done
    if [ $ok -eq 1 ]; then pass "$name"; else fail "$name" "$a and $b differ"; fi
}

# replay: a replayed trace, a preset and background traffic.
replay=$VDCSIM_TEST_SRCDIR/cli/guests/replay.yaml
for cfg in good default replay; do
    path=$good
    [ $cfg = default ] && path=$default
    [ $cfg = replay ] && path=$replay
    "$VDCSIM" run "$path" -o "$work/$cfg-j1a" -j 1 >/dev/null 2>"$work/err" || fail "$cfg-run" "$(cat "$work/err")"
    "$VDCSIM" run "$path" -o "$work/$cfg-j1b" -j 1 >/dev/null 2>"$work/err" || fail "$cfg-run" "$(cat "$work/err")"
    "$VDCSIM" run "$path" -o "$work/$cfg-j4" -j 4 >/dev/null 2>"$work/err" || fail "$cfg-run" "$(cat "$work/err")"
    same_output "${cfg}_same_bytes_run_after_run" "$work/$cfg-j1a" "$work/$cfg-j1b"
    same_output "${cfg}_same_bytes_for_j1_and_j4" "$work/$cfg-j1a" "$work/$cfg-j4"
done

# The allocator settings vdcsim starts with (a re-exec with GLIBC_TUNABLES)
# change no byte: the same run with them left out.
VDCSIM_MALLOC_TUNED=1 "$VDCSIM" run "$default" -o "$work/default-plain" >/dev/null 2>"$work/err" \
    || fail default-plain-run "$(cat "$work/err")"
same_output default_same_bytes_without_allocator_settings "$work/default-j1a" "$work/default-plain"

# The sweep of good.yaml: 2 x 2 points x 2 replications = 8 runs, in order.
runs=$(sqlite3 "$work/good-j4/results.sqlite" "SELECT group_concat(run_id || ':' || point || ':' || replication, ' ') FROM runs")
check runs_are_ordered_point_major [ "$runs" = "1:0:0 2:0:1 3:1:0 4:1:1 5:2:0 6:2:1 7:3:0 8:3:1" ]
# Replication 0 runs with the master seed; replication 1 with another.
seeds=$(sqlite3 "$work/good-j4/results.sqlite" "SELECT count(DISTINCT seed) FROM runs")
check replications_get_distinct_seeds [ "$seeds" = 2 ]
seed0=$(sqlite3 "$work/good-j4/results.sqlite" "SELECT seed FROM runs WHERE run_id = 1")
check replication_zero_uses_the_master_seed [ "$seed0" = 7 ]

# Another seed changes the recorded seeds and nothing else of the hosts.
"$VDCSIM" run "$good" -o "$work/seed9" --seed 9 >/dev/null 2>&1
seed9=$(sqlite3 "$work/seed9/results.sqlite" "SELECT seed FROM runs WHERE run_id = 1")
check seed_override_is_recorded [ "$seed9" = 9 ]
check other_seed_same_hosts cmp -s "$work/seed9/hosts.csv" "$work/good-j1a/hosts.csv"

finish
