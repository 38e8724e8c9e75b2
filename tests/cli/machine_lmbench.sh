#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# golden: [Barham03] Tables 3 and 5 (lmbench) from
# configs/machine/xen-lmbench.yaml: the ratios to native vdcsim reaches
# within 15 % (the cells tests/models/cpu/test_cpu_published.c asserts on
# its own runs), and the chart drawn by the run. The cells not reached are
# listed with their gaps in docs/machine-reproductions.md ("lmbench, forkwait and
# Disco reproduced"); nothing here is tuned to them.
. "$VDCSIM_TEST_SRCDIR/cli/lib.sh"
src=${VDCSIM_SOURCE_DIR:?}
cd "$work" || exit 1

"$VDCSIM" run "$src/configs/machine/xen-lmbench.yaml" -o lm >run.txt 2>run.err
check lmbench_runs test -s lm/results.sqlite
check lmbench_draws_the_chart test -s lm/machine_lmbench.png
slow() {
    sqlite3 lm/results.sqlite "select slowdown from machine_runs where workload='lmbench-$1' and mode='$2'"
}

# within WORKLOAD MODE NATIVE_US MODE_US: |vdcsim / paper - 1| <= 15 %.
within() {
    expect_near "$1_$2_within_15pct" "$(slow "$1" "$2")" \
        "$(awk -v a="$4" -v b="$3" 'BEGIN { print a / b }')" 0.15 "$1 $2"
}
# [Barham03] Tables 3 and 5, µs: L-UP, then the mode's.
for m in "pv 0.46" "bt 0.73" "uml 24.7"; do within null-call ${m% *} 0.45 ${m#* }; done
for m in "pv 0.50" "bt 0.83" "uml 25.1"; do within null-io ${m% *} 0.50 ${m#* }; done
within stat pv 1.28 1.22
within stat bt 1.28 1.88
within open-close pv 1.92 1.88
within open-close bt 1.92 2.99
for m in "pv 0.69" "bt 1.02" "uml 26.0"; do within sig-inst ${m% *} 0.68 ${m#* }; done
within sig-hndl uml 2.49 46.0
within fork pv 110 198
within fork bt 110 874
within exec pv 530 768
within exec bt 530 2300
within sh pv 4000 4800
within page-fault pv 1.42 2.73
within page-fault bt 1.42 12.4
within page-fault uml 1.42 26.3
within mmap pv 68 139
within mmap bt 68 620
within mmap uml 68 1400
within prot-fault pv 1.06 1.40
within prot-fault bt 1.06 7.53
within prot-fault uml 1.06 21.8

# [Barham03] Table 4 (configs/machine/xen-ctx.yaml): the bar chart of
# microseconds per switch (less the same mode's null call, as lat_ctx
# subtracts its overhead), and the order the paper has in all seven rows,
# L < X < U < V, which vdcsim keeps; oracle 12's "PV adds 1-3 µs" in the
# three 2-process rows, X/L and V/L within 15 % of the paper's in the two
# smaller ones (which the kernel's global TLB entries natively give), U/L
# in all three. Its gaps (X/L and V/L at 2p/64K, the 8- and 16-process
# rows' cache effects) are in docs/machine-reproductions.md, not asserted.
"$VDCSIM" run "$src/configs/machine/xen-ctx.yaml" -o ctx >/dev/null 2>&1
check ctx_draws_the_bar_chart test -s ctx/machine_ctx.png
# us W MODE: microseconds per switch, less the same mode's null call
# (lat_ctx subtracts what one process pays for the token's pipe calls).
us() {
    sqlite3 ctx/results.sqlite "select 1.0 * (c.cycles - c.cycles_user) / c.n_ctx_switch * c.seconds / c.cycles * 1e6 - 1.0 * (n.cycles - n.cycles_user) / n.n_syscall * n.seconds / n.cycles * 1e6 from machine_runs c join machine_runs n on n.run_id = c.run_id and n.mode = c.mode and n.workload = 'lmbench-null-call' where c.workload = 'lmbench-ctx-$1' and c.mode = '$2' and c.n_ctx_switch > 0 and n.n_syscall > 0"
}
for w in 2p-0k 2p-16k 2p-64k 8p-16k 8p-64k 16p-16k 16p-64k; do
    l=$(us $w native) x=$(us $w pv) u=$(us $w uml) v=$(us $w bt)
    check "ctx_${w}_l_below_x_below_u_below_v" awk -v l="$l" -v x="$x" -v u="$u" -v v="$v" 'BEGIN { exit !(l != "" && x != "" && u != "" && v != "" && l + 0 < x + 0 && x + 0 < u + 0 && u + 0 < v + 0) }'
done
for w in 2p-0k 2p-16k 2p-64k; do
    check "ctx_${w}_pv_adds_1_to_3_us" awk -v l="$(us $w native)" -v x="$(us $w pv)" 'BEGIN { exit !(l != "" && x != "" && x - l >= 1 && x - l <= 3) }'
done
# ratio W MODE PAPER_L PAPER_MODE: MODE/L within 15 % of the paper's.
ratio() {
    check "ctx_$1_$2_ratio_within_15_percent" awk -v l="$(us "$1" native)" -v g="$(us "$1" "$2")" -v pl="$3" -v pg="$4" 'BEGIN { if (l == "" || g == "") exit 1; d = (g / l) / (pg / pl) - 1; exit !(d <= 0.15 && d >= -0.15) }'
}
ratio 2p-0k pv 0.77 1.97
ratio 2p-0k bt 0.77 18.1
ratio 2p-16k pv 0.91 2.22
ratio 2p-16k bt 0.91 17.6
ratio 2p-0k uml 0.77 15.5
ratio 2p-16k uml 0.91 14.6
ratio 2p-64k uml 1.06 14.4
# V at 2p/0K is where bt.shadow_switch comes from (18.1 µs): within 5 %.
check ctx_2p_0k_v_is_its_source bash -c "awk -v g='$(us 2p-0k bt)' 'BEGIN { d = g / 18.1 - 1; exit !(g != \"\" && d <= 0.05 && d >= -0.05) }'"
finish
