#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# golden suite (end to end): configs/clark/*.yaml reproduce reference
# oracles through the whole simulator (config, fabric flows, migration,
# results). Oracle 1 (migration.md): stop-and-copy of 512 MiB at 128, 256
# and 512 Mibit/s takes 32, 16 and 8 s; the hosts share a rack, so the
# 2 us rack latency (datacenter.network.rack_latency) is added.
. "$(dirname "$0")/lib.sh"
cd "$work"
"$VDCSIM" run "$VDCSIM_SOURCE_DIR/configs/clark/stop-and-copy.yaml" -o sc >/dev/null 2>err.txt \
    || fail clark_stop_and_copy_runs "$(cat err.txt)"
got=$(sqlite3 sc/results.sqlite "SELECT group_concat(downtime_ns, ' ') FROM (SELECT downtime_ns FROM migrations ORDER BY run_id)")
check oracle_1_stop_and_copy_32_16_8_s [ "$got" = "32000002000 16000002000 8000002000" ]
same=$(sqlite3 sc/results.sqlite "SELECT count(*) FROM migrations WHERE total_ns = downtime_ns AND bytes = 536870912 AND rounds = 0")
check stop_and_copy_downtime_is_total_and_sends_memory_once [ "$same" = 3 ]
moved=$(sqlite3 sc/results.sqlite "SELECT count(*) FROM vms WHERE host = 'rack0/host1'")
check migrated_vm_ends_on_destination [ "$moved" = 3 ]

# Two VMs migrated at once through the same 1 Gbit/s NIC take twice as long
# as one alone (oracle 13), because their flows share the link max-min fairly.
cat >two.yaml <<'YAML'
experiment: {name: two, duration: 1s}
datacenter: {racks: 1, hosts_per_rack: 2, host: {memory: 8GiB, nic: 1Gbit/s},
             network: {rack_latency: 0ns}}
vms:
  - {name: a, host: rack0/host0, memory: 1GiB}
  - {name: b, host: rack0/host0, memory: 1GiB}
migrations:
  - {vm: a, to: rack0/host1, at: 0s, scheme: stop-and-copy, max_rate: 1Gbit/s}
  - {vm: b, to: rack0/host1, at: 0s, scheme: stop-and-copy, max_rate: 1Gbit/s}
YAML
sed -e '/name: b/d' -e '/vm: b/d' -e 's/name: two/name: one/' two.yaml >one.yaml
"$VDCSIM" run two.yaml -o two >/dev/null 2>&1
"$VDCSIM" run one.yaml -o one >/dev/null 2>&1
solo=$(sqlite3 one/results.sqlite "SELECT total_ns FROM migrations")
pair=$(sqlite3 two/results.sqlite "SELECT group_concat(total_ns, ' ') FROM migrations")
check solo_migration_of_1GiB_at_1Gbit_takes_8_589934592_s [ "$solo" = 8589934592 ]
check oracle_13_two_migrations_through_one_nic_take_twice_as_long [ "$pair" = "$((2 * solo)) $((2 * solo))" ]
finish
