#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# config_errors suite: every bad input gets its exact FILE:LINE:COL message on
# stderr, exit status 2, and leaves no results behind.
. "$(dirname "$0")/lib.sh"
bad=$VDCSIM_TEST_SRCDIR/cli/bad

# expect_error NAME EXPECTED-STDERR-FILE ARGS...: runs vdcsim in a clean
# directory and checks status 2, the exact message, and that nothing was
# written there.
expect_error() {
    local name=$1 expected=$2
    shift 2
    local dir="$work/$name"
    mkdir -p "$dir"
    cp "$bad"/*.yaml "$bad"/*.pdt "$VDCSIM_TEST_SRCDIR/cli/good.yaml" "$dir"/
    local rc=0
    (cd "$dir" && "$VDCSIM" "$@" >stdout.txt 2>stderr.txt) || rc=$?
    if [ "$rc" -ne 2 ]; then
        fail "$name" "exit status $rc, expected 2; stderr: $(cat "$dir/stderr.txt")"
    elif ! diff -u "$expected" "$dir/stderr.txt" >"$dir/diff.txt"; then
        fail "$name" "message differs:
$(cat "$dir/diff.txt")"
    elif [ -e "$dir/results" ] || [ -s "$dir/stdout.txt" ]; then
        fail "$name" "something was written"
    else
        pass "$name"
    fi
}

for y in "$bad"/*.yaml; do
    n=$(basename "$y" .yaml)
    expect_error "run_$n" "$bad/$n.err" run "$n.yaml"
    expect_error "validate_$n" "$bad/$n.err" validate "$n.yaml"
done

# Bytes that are not UTF-8.
mkdir -p "$work/gen"
printf 'experiment:\n  name: caf\xe9\n' >"$work/gen/non_utf8.yaml"
printf 'non_utf8.yaml:2:12: invalid UTF-8 byte 0xe9 (expected UTF-8 text)\n' >"$work/gen/non_utf8.err"
# A file over the size limit (64 MiB): refused before parsing.
head -c $((64 * 1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$work/gen/huge.yaml"
printf 'huge.yaml:1:1: configuration is larger than 67108864 bytes (expected a smaller file)\n' >"$work/gen/huge.err"
for n in non_utf8 huge; do
    dir="$work/$n"
    mkdir -p "$dir"
    cp "$work/gen/$n.yaml" "$dir/"
    rc=0
    (cd "$dir" && "$VDCSIM" run "$n.yaml" >stdout.txt 2>stderr.txt) || rc=$?
    if [ "$rc" -eq 2 ] && diff -u "$work/gen/$n.err" "$dir/stderr.txt" >/dev/null \
        && [ ! -e "$dir/results" ]; then
        pass "run_$n"
    else
        fail "run_$n" "status $rc, stderr: $(head -c 400 "$dir/stderr.txt")"
    fi
    rm -f "$dir/$n.yaml"
done
rm -f "$work/gen/huge.yaml"

# A large valid file (20,000 VMs) loads without trouble.
{
    echo "datacenter: {racks: 100, hosts_per_rack: 100}"
    echo "vms:"
    for i in $(seq 1 20000); do echo "  - {name: vm$i, memory: 1GiB}"; done
} >"$work/gen/large.yaml"
out=$("$VDCSIM" validate "$work/gen/large.yaml" 2>&1 | head -n 1)
check large_valid_file_validates [ "$out" = "$work/gen/large.yaml: valid: 1 run (1 point x 1 replication), 10000 hosts, 20000 VMs" ]

# Overrides are validated like the file.
printf -- "--set:1:22: datacenter.host.cpus: expected a non-negative integer, got 'many'\n" >"$work/gen/set_type.err"
expect_error set_wrong_type "$work/gen/set_type.err" run good.yaml --set datacenter.host.cpus=many
printf -- "vdcsim: run: -j '0': expected a whole number from 1 to 1024\n" >"$work/gen/j0.err"
expect_error jobs_zero "$work/gen/j0.err" run good.yaml -j 0
printf -- "vdcsim: run: --seed 'x1': expected a whole number from 0 to 9223372036854775807\n" >"$work/gen/seed.err"
expect_error bad_seed "$work/gen/seed.err" run good.yaml --seed x1
printf -- "vdcsim: run: unknown option '--frobnicate' (see vdcsim run --help)\n" >"$work/gen/opt.err"
expect_error unknown_option "$work/gen/opt.err" run --frobnicate
printf -- "vdcsim: unknown command 'rnu' (did you mean 'run'?)\n" >"$work/gen/cmd.err"
expect_error unknown_command "$work/gen/cmd.err" rnu
printf -- "missing.yaml: No such file or directory (expected a readable YAML file)\n" >"$work/gen/missing.err"
expect_error missing_file "$work/gen/missing.err" run missing.yaml

# Control characters from user text come out escaped, one message per line:
# a CR, ESC or line break in a key, a value, a file name or an argument can
# neither drive the terminal nor forge a positioned line of its own.
# expect_escaped NAME EXPECTED-STDERR ARGS...: status 2, exact stderr, and no
# control byte but the line ends.
expect_escaped() {
    local name=$1 want=$2
    shift 2
    local dir="$work/esc_$name" rc=0
    mkdir -p "$dir"
    cp "$work/esc"/* "$dir"/
    (cd "$dir" && "$VDCSIM" "$@" >stdout.txt 2>stderr.txt) || rc=$?
    if [ "$rc" -ne 2 ]; then
        fail "escaped_$name" "exit status $rc, expected 2"
    elif [ "$(cat "$dir/stderr.txt")" != "$want" ]; then
        fail "escaped_$name" "stderr was: $(od -c "$dir/stderr.txt" | head -20)"
    elif LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$dir/stderr.txt"; then
        fail "escaped_$name" "a control byte reached stderr"
    else
        pass "escaped_$name"
    fi
}
mkdir -p "$work/esc"
forge=$'\r\e[2J\nx.yaml:1:1: forged'
printf 'datacenter:\n  "k\\r\\u001b[2J\\nx.yaml:1:1: forged": 1\n' >"$work/esc/key.yaml"
printf 'datacenter:\n  racks: "4\\r\\u001b[2J\\nx.yaml:1:1: forged"\n' >"$work/esc/value.yaml"
printf 'datacenter:\n  racks: x\n' >"$work/esc/f${forge}.yaml"
printf 'experiment: {name: good}\n' >"$work/esc/ok.yaml"
expect_escaped key "key.yaml:2:3: unknown key 'k\\x0d\\x1b[2J\\nx.yaml:1:1: forged' in datacenter (expected one of: racks, hosts_per_rack, placement, host, fabric, network, host_kinds, topology)" validate key.yaml
expect_escaped value "value.yaml:2:10: datacenter.racks: expected a non-negative integer, got '4\\x0d\\x1b[2J\\nx.yaml:1:1: forged'" validate value.yaml
expect_escaped file_name "f\\r\\x1b[2J\\nx.yaml:1:1: forged.yaml:2:10: datacenter.racks: expected a non-negative integer, got 'x'" validate "f${forge}.yaml"
expect_escaped set_path "--set:1:23: unknown top-level key 'data\\x1b[2Jcenter\\n' (did you mean 'datacenter'?)" validate ok.yaml --set $'data\e[2Jcenter\n.racks=4'
expect_escaped set_value "--set:2:1: disallowed character U+001B (expected printable text)" validate ok.yaml --set "datacenter.racks=${forge}"
expect_escaped option "vdcsim: run: unknown option '--x\\r\\x1b[2J\\nx.yaml:1:1: forged' (see vdcsim run --help)" run "--x${forge}"
expect_escaped plot_dir "vdcsim: plot: 'd\\r\\x1b[2J\\nx.yaml:1:1: forged' is not a results directory (expected the meta.csv that vdcsim run and wws write)" plot "d${forge}"

# A config path longer than the old 512-byte message buffer keeps its
# position prefix.
long=$(printf 'd%.0s' $(seq 1 120))
mkdir -p "$work/lp/$long/$long/$long/$long/$long"
lp="$work/lp/$long/$long/$long/$long/$long/bad.yaml"
printf 'datacenter:\n  racks: x\n' >"$lp"
out=$("$VDCSIM" validate "$lp" 2>&1)
check long_path_keeps_its_position [ "$out" = "$lp:2:10: datacenter.racks: expected a non-negative integer, got 'x'" ]

# Machine files (configs/machines/): each shipped one validates, and bad
# ones get their FILE:LINE:COL message and exit 2.
for y in "$VDCSIM_SOURCE_DIR"/configs/machines/*.yaml; do
    check "machine_$(basename "$y" .yaml)_validates" "$VDCSIM" validate "$y"
done
rc=0; "$VDCSIM" validate "$VDCSIM_SOURCE_DIR/configs/machines/p4-vtx-2006.yaml" --set machine.clock_mhz=1 >/dev/null 2>&1 || rc=$?
check machine_file_refuses_set [ $rc -eq 2 ]
for y in "$VDCSIM_TEST_SRCDIR"/cli/bad_machine/*.yaml; do
    n=$(basename "$y" .yaml)
    mkdir -p "$work/machine_$n"
    cp "$y" "$work/machine_$n/"
    rc=0
    (cd "$work/machine_$n" && "$VDCSIM" validate "$n.yaml" >out.txt 2>err.txt) || rc=$?
    check "machine_$n" bash -c "[ $rc -eq 2 ] && [ ! -s '$work/machine_$n/out.txt' ] && diff -u '${y%.yaml}.err' '$work/machine_$n/err.txt'"
done

finish
