#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# record suite: `vdcsim trace-record` end to end. Each workload records a
# few seconds of simulated time with both tracking mechanisms (the same
# bytes), the traces replay through `vdcsim wws` (a stop-and-copy of the
# 64 MiB arena at 128 Mibit/s takes 64 x 2^20 x 8 / 2^27 = 4 s) and
# through `vdcsim run` (a pre-copy migration of a VM dirtying its memory
# as the recorded program did); bad input exits 2 and writes nothing.
. "$(dirname "$0")/lib.sh"
cd "$work"

check list_names_the_four_workloads bash -c "[ \"\$('$VDCSIM' trace-record --list | grep -c '^[a-z]*: ')\" = 4 ]"
check list_shows_parameters bash -c "'$VDCSIM' trace-record --list | grep -q '^  subscribers '"
check help_has_exit_statuses bash -c "'$VDCSIM' trace-record --help | grep -q '^Exit status'"
comp() { bash -c 'shopt -s extglob; . "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vdcsim; printf "%s\n" "${COMPREPLY[@]}"' _ "$VDCSIM_SOURCE_DIR/cli/vdcsim.bash" "$VDCSIM" "$@"; }
check completion_of_workloads [ "$(comp trace-record ol)" = oltp ]
check completion_of_mechanisms [ "$(comp trace-record oltp --mechanism mp)" = mprotect ]
check help_lists_the_command bash -c "'$VDCSIM' --help | grep -q '^  trace-record '"

# A few seconds of each workload, small enough for the sanitizer build.
declare -A args=(
    [oltp]="-p subscribers=2000 --duration 3s --checkpoint-every 1s"
    [cache]="--memory 16MiB -p capacity=4MiB -p objects=20000 --duration 2s --ramp 500ms --checkpoint-every 1s"
    [zlib]="--memory 4MiB -p buffers=16 --duration 1s --op-time 2ms --checkpoint-every 500ms"
    [munch]="--memory 8MiB -p region=4MiB --duration 2s --op-time 100us --burst-every 1s --burst-length 200ms --burst-factor 4"
)
uffd_ok=1
for w in oltp cache zlib munch; do
    # shellcheck disable=SC2086
    "$VDCSIM" trace-record $w ${args[$w]} --mechanism mprotect -o $w-mp.pdt >out.txt 2>err.txt \
        || fail ${w}_records "$(cat err.txt)"
    check ${w}_says_mprotect grep -q "mechanism mprotect" out.txt
    rc=0
    # shellcheck disable=SC2086
    "$VDCSIM" trace-record $w ${args[$w]} --mechanism uffd -o $w.pdt >out.txt 2>err.txt || rc=$?
    if [ $rc -eq 2 ] && grep -q "mechanism uffd:" err.txt; then
        echo "skip ${w}_uffd_equals_mprotect: the kernel refuses userfaultfd: $(cat err.txt)"
        uffd_ok=0
        cp $w-mp.pdt $w.pdt
    else
        check ${w}_says_uffd grep -q "mechanism uffd" out.txt
        check ${w}_uffd_equals_mprotect cmp -s $w.pdt $w-mp.pdt
    fi
    check ${w}_trace_has_samples [ "$(grep -c '^[0-9]' $w.pdt)" -ge 20 ]
    # Pages were written, and not all of them in every sample.
    check ${w}_trace_dirties_pages grep -qE '^[0-9]+ [0-9]' $w.pdt
    "$VDCSIM" wws $w.pdt --bandwidth 128Mibit/s -o wws-$w >/dev/null 2>err.txt \
        || fail ${w}_wws "$(cat err.txt)"
    check ${w}_wws_writes_the_analysis [ -s wws-$w/wws.csv ]
done

# Determinism: the same command, the same bytes; another seed, others.
"$VDCSIM" trace-record oltp ${args[oltp]} -o again.pdt >/dev/null 2>&1
check same_command_same_bytes cmp -s oltp.pdt again.pdt
"$VDCSIM" trace-record oltp ${args[oltp]} --seed 2 -o seed2.pdt >/dev/null 2>&1
check other_seed_writes_a_trace [ -s seed2.pdt ]
check other_seed_other_bytes bash -c "! cmp -s oltp.pdt seed2.pdt"

# wws: the 16 MiB cache arena's stop-and-copy at 128 Mibit/s is 1 s; the
# OLTP checkpoints (a copy of the database) stand above the run's rate.
db=wws-cache/results.sqlite
check wws_stop_and_copy_of_the_arena [ "$(sqlite3 $db "SELECT DISTINCT downtime_ns FROM wws WHERE iterations = 0")" = 1000000000 ]
check wws_precopy_beats_stop_and_copy [ "$(sqlite3 $db "SELECT count(*) FROM wws WHERE iterations = 3 AND downtime_ns >= 1000000000")" = 0 ]
check oltp_checkpoints_are_peaks bash -c "[ \$(sqlite3 wws-oltp/results.sqlite 'SELECT max(rate_pages_s) > 2 * avg(rate_pages_s) FROM dirty_rate') = 1 ]"

# The simulator replays a recorded trace: a 64 MiB VM writing as the OLTP
# run did, pre-copied at 1 s (after the load, during the transactions).
cat >rec.yaml <<'YAML'
experiment: {name: recorded-oltp, seed: 1, duration: 3s, sample_interval: 100ms}
datacenter:
  racks: 1
  hosts_per_rack: 2
  host: {memory: 1GiB, nic: 1Gbit/s}
vms:
  - name: db
    host: rack0/host0
    memory: 64MiB
    page_writes: {kind: replay, trace: oltp.pdt}
migrations:
  - {vm: db, to: rack0/host1, at: 1s, scheme: precopy, policy: xen,
     max_rate: 1Gbit/s, fidelity: page-exact}
YAML
"$VDCSIM" run rec.yaml -o run >/dev/null 2>err.txt || fail run_replays_a_recorded_trace "$(cat err.txt)"
mig="SELECT rounds > 1 AND bytes > memory_bytes - 1 AND downtime_ns > 0 AND memory_bytes > 67108864 FROM migrations"
check run_precopies_the_recorded_vm [ "$(sqlite3 run/results.sqlite "$mig")" = 1 ]

# A kernel that refuses userfaultfd: an unprivileged user without
# CAP_SYS_PTRACE gets EPERM while vm.unprivileged_userfaultfd is 0; auto
# falls back to mprotect, says so, and writes the same trace.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
    [ "$(cat /proc/sys/vm/unprivileged_userfaultfd 2>/dev/null)" = 0 ]; then
    chmod 711 "$work"
    mkdir -m 777 nobody
    setpriv --reuid=65534 --regid=65534 --clear-groups "$VDCSIM" trace-record munch \
        ${args[munch]} -o nobody/munch.pdt >/dev/null 2>nobody/err.txt
    check refused_uffd_falls_back grep -q "falling back to mprotect" nobody/err.txt
    check refused_uffd_says_why grep -q "EPERM" nobody/err.txt
    check fallback_trace_is_the_same cmp -s munch.pdt nobody/munch.pdt
    rc=0
    setpriv --reuid=65534 --regid=65534 --clear-groups "$VDCSIM" trace-record munch \
        ${args[munch]} --mechanism uffd -o nobody/u.pdt >/dev/null 2>nobody/err.txt || rc=$?
    check uffd_refused_exits_2 [ $rc -eq 2 ]
    check uffd_refused_writes_nothing [ ! -e nobody/u.pdt ]
else
    echo "skip refused_uffd_falls_back: needs root, setpriv and vm.unprivileged_userfaultfd = 0"
fi

# Bad input: a clear message, exit 2, nothing written.
bad() {
    local name=$1 want=$2 rc=0
    shift 2
    "$VDCSIM" trace-record "$@" -o bad.pdt >/dev/null 2>err.txt || rc=$?
    check ${name}_exits_2 [ $rc -eq 2 ]
    check ${name}_says_so grep -q -- "$want" err.txt
    check ${name}_writes_nothing bash -c "[ ! -e bad.pdt ] && [ -z \"\$(ls bad.pdt.* 2>/dev/null)\" ]"
}
bad unknown_workload "unknown workload 'oltq' (did you mean 'oltp'?)" oltq
bad arena_too_large "does not fit the arena (expected a multiple of 4 KiB from 1 MiB to 4 GiB)" oltp --memory 8GiB
bad arena_too_small "does not fit the arena" munch --memory 512KiB
bad database_does_not_fit "workload oltp: .* does not fit in the arena of 1 MiB" oltp --memory 1MiB --duration 1s
bad region_does_not_fit "workload munch: the region does not fit in the arena of 2 MiB" munch --memory 2MiB --duration 100ms
bad unknown_param "workload oltp has no parameter 'subscriber'" oltp -p subscriber=10
bad param_out_of_range "expected a number from 1 to 1e+07" oltp -p subscribers=0
bad bad_mechanism "expected auto, uffd or mprotect" oltp --mechanism kvm
bad bad_duration "--duration 'soon'" oltp --duration soon
bad interval_below_op_time "shorter than one operation" oltp --interval 10us
bad burst_longer_than_period "--burst-length longer than --burst-every" munch --burst-every 1s --burst-length 2s
rc=0; "$VDCSIM" trace-record munch ${args[munch]} -o oltp.pdt >/dev/null 2>err.txt || rc=$?
check existing_file_exits_2 [ $rc -eq 2 ]
check existing_file_is_left_alone cmp -s oltp.pdt again.pdt

finish
