#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# topology suite (end to end): heterogeneous datacenters and explicit
# topologies through `vdcsim run`. Closed forms: a stop-and-copy of B
# bytes without state or start-up cost takes 8·B / (the least capacity on
# its route) + the route's latency (models/network's fluid model, net.h).
. "$(dirname "$0")/lib.sh"
cd "$work"
cfg=$VDCSIM_SOURCE_DIR/configs

# configs/heterogeneous.yaml: kinds, racks as a list, a kind column.
"$VDCSIM" run "$cfg/heterogeneous.yaml" -o het >/dev/null 2>err.txt \
    || fail heterogeneous_runs "$(cat err.txt)"
kinds=$(sqlite3 het/results.sqlite "SELECT group_concat(kind || ':' || nic_bps, ' ') FROM (SELECT kind, nic_bps FROM hosts ORDER BY host_index)")
check heterogeneous_hosts_have_their_kinds \
    [ "$kinds" = "large:10000000000 large:10000000000 small:1000000000 small:1000000000 small:1000000000" ]
check heterogeneous_csv_has_the_kind_column grep -q '^run_id,host_index,host,rack,kind,' het/hosts.csv

# configs/topology.yaml: two spines, the route through spine0 (2 Gbit/s).
"$VDCSIM" run "$cfg/topology.yaml" -o topo >/dev/null 2>err.txt \
    || fail topology_runs "$(cat err.txt)"
total=$(sqlite3 topo/results.sqlite "SELECT total_ns FROM migrations")
check topology_migration_is_size_over_bottleneck_plus_latency \
    [ "$total" = $((4294967296 + 150000)) ]

# The default fabric of configs/default.yaml's datacenter written out as
# a topology: the same results table for table (runs aside: its config
# text differs).
cat >gen.yaml <<'YAML'
experiment: {name: gen, duration: 30s, sample_interval: 5s}
datacenter:
  racks: 2
  hosts_per_rack: 2
  host: {memory: 8GiB, nic: 1Gbit/s}
vms:
  - {name: a, host: rack0/host0, memory: 1GiB}
  - {name: b, host: rack1/host1, memory: 512MiB,
     dirtying: {hot_set: 8MiB, hot_rate: 20000, cold_rate: 500},
     traffic: [{to: a, rate: 200Mbit/s}]}
migrations:
  - {vm: a, to: rack1/host0, at: 1s, scheme: stop-and-copy}
  - {vm: b, to: rack0/host1, at: 2s, scheme: precopy, max_rate: 400Mbit/s}
YAML
sed -e 's/name: gen/name: exp/' -e '/host: {memory/r /dev/stdin' gen.yaml >exp.yaml <<'YAML'
  topology:
    nodes: [rack0/tor, rack1/tor, core]
    links:
      - {a: rack0/host0, b: rack0/tor, capacity: 1Gbit/s, latency: 1us}
      - {a: rack0/host1, b: rack0/tor, capacity: 1Gbit/s, latency: 1us}
      - {a: rack1/host0, b: rack1/tor, capacity: 1Gbit/s, latency: 1us}
      - {a: rack1/host1, b: rack1/tor, capacity: 1Gbit/s, latency: 1us}
      - {a: rack0/tor, b: core, capacity: 40Gbit/s, latency: 2500ns}
      - {a: rack1/tor, b: core, capacity: 40Gbit/s, latency: 2500ns}
YAML
"$VDCSIM" run gen.yaml -o gen >/dev/null 2>err.txt || fail generated_runs "$(cat err.txt)"
"$VDCSIM" run exp.yaml -o exp >/dev/null 2>err.txt || fail explicit_runs "$(cat err.txt)"
same=yes
[ -s gen/links.csv ] || same="no (nothing written)"
for t in hosts vms links host_samples link_samples migrations migration_rounds traffic; do
    cmp -s gen/$t.csv exp/$t.csv || same="no ($t)"
done
check generated_fabric_written_out_gives_the_same_csvs [ "$same" = yes ]
check the_written_out_run_moved_bits [ "$(sqlite3 exp/results.sqlite "SELECT count(*) FROM links WHERE bits > 0")" -ge 4 ]

# A sweep over a rack's count and a kind's NIC, run with -j 2 and alone:
# the same bytes.
cat >sw.yaml <<'YAML'
experiment: {name: sw, duration: 10s}
datacenter:
  host_kinds: {big: {nic: 10Gbit/s}, small: {nic: 1Gbit/s}}
  racks: [{hosts: 1, kind: big}, {hosts: 2, kind: small}]
vms:
  - {name: a, host: rack0/host0, memory: 1GiB}
migrations:
  - {vm: a, to: rack1/host1, at: 1s, scheme: stop-and-copy, max_rate: 10Gbit/s,
     state_size: 0B, activation_cost: 0ns}
sweep:
  datacenter.racks.1.hosts: [2, 4]
  datacenter.host_kinds.small.nic: [1Gbit/s, 2Gbit/s]
YAML
"$VDCSIM" run sw.yaml -o sw1 >/dev/null 2>err.txt || fail sweep_runs "$(cat err.txt)"
"$VDCSIM" run sw.yaml -o sw2 -j 2 >/dev/null 2>&1
times=$(sqlite3 sw1/results.sqlite "SELECT group_concat(total_ns, ' ') FROM (SELECT total_ns FROM migrations ORDER BY run_id)")
# rack latency 2 us + fabric 5 us on each route.
check sweep_over_kind_nic_gives_the_closed_forms \
    [ "$times" = "8589941592 4294974296 8589941592 4294974296" ]
hosts=$(sqlite3 sw1/results.sqlite "SELECT group_concat(n, ' ') FROM (SELECT count(*) AS n FROM hosts GROUP BY run_id ORDER BY run_id)")
check sweep_over_rack_hosts_changes_the_host_count [ "$hosts" = "3 3 5 5" ]
same_dump() { [ -s "$1" ] && [ -s "$2" ] && cmp -s <(sqlite3 "$1" .dump) <(sqlite3 "$2" .dump); }
check sweep_is_the_same_bytes_with_j2 same_dump sw1/results.sqlite sw2/results.sqlite

# validate reports the hosts of a racks: list.
out=$("$VDCSIM" validate "$cfg/heterogeneous.yaml" 2>&1)
check validate_counts_hosts_of_a_rack_list grep -q ', 5 hosts, 5 VMs' <<<"$out"
finish
