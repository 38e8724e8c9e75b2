#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# golden: [Barham03] Figure 3 (its bars; oracles 1, 3 and 4 on them)
# from configs/machine/xen-fig3.yaml: the bars vdcsim reaches within 10 %
# of the paper's relative performance, the orderings that hold, and the
# grouped bar chart drawn by the run. The bars not reached (V on Linux
# build, OSDB-IR, OSDB-OLTP and SPEC WEB99; U on OSDB-OLTP, dbench, SPEC
# WEB99) and the two orderings that fail (U above V on OLTP and WEB99) are
# listed with their gaps in docs/machine-reproductions.md; nothing here is
# tuned to them.
. "$VDCSIM_TEST_SRCDIR/cli/lib.sh"
src=${VDCSIM_SOURCE_DIR:?}
cd "$work" || exit 1

"$VDCSIM" run "$src/configs/machine/xen-fig3.yaml" -o fig3 >run.txt 2>run.err
check fig3_runs test -s fig3/results.sqlite
check fig3_draws_the_grouped_bar_chart test -s fig3/machine_fig3.png
rel() {
    sqlite3 fig3/results.sqlite "select relative from machine_runs where workload='$1' and mode='$2'"
}

# within NAME WORKLOAD MODE PAPER: |vdcsim / paper - 1| <= 10 %.
within() { expect_near "$1" "$(rel "$2" "$3")" "$4" 0.10 "$2 $3"; }
# The paper's values: each bar's label over native's ([Barham03] Fig. 3).
within spec_x_within_10pct spec-cint pv 1.000
within spec_v_within_10pct spec-cint bt 0.977
within spec_u_within_10pct spec-cint uml 0.970
within build_x_within_10pct linux-build pv 0.970
within build_u_within_10pct linux-build uml 0.492
within ir_x_within_10pct osdb-ir pv 0.919
within ir_u_within_10pct osdb-ir uml 0.378
within oltp_x_within_10pct osdb-oltp pv 0.953
within dbench_x_within_10pct dbench pv 0.957
within dbench_v_within_10pct dbench bt 0.742
within web_x_within_10pct specweb pv 0.992

# above NAME WORKLOAD MODE-A MODE-B: A's relative performance above B's.
above() {
    local a b
    a=$(rel "$2" "$3")
    b=$(rel "$2" "$4")
    if [ -n "$a" ] && [ -n "$b" ] &&
        awk -v a="$a" -v b="$b" 'BEGIN { exit !(a + 0 > b + 0) }'; then
        pass "$1"
    else
        fail "$1" "$2: $3 $a is not above $4 $b"
    fi
}
for w in spec-cint linux-build osdb-ir osdb-oltp dbench specweb; do
    above "${w}_x_above_v" "$w" pv bt
    above "${w}_x_above_u" "$w" pv uml
done
for w in spec-cint linux-build osdb-ir dbench; do
    above "${w}_v_above_u" "$w" bt uml
done
# Oracle 1: CPU-bound parity within 3 % for X and V.
check oracle1_spec_x_within_3pct awk -v g="$(rel spec-cint pv)" 'BEGIN { exit !(g >= 0.97) }'
check oracle1_spec_v_within_3pct awk -v g="$(rel spec-cint bt)" 'BEGIN { exit !(g >= 0.97) }'
check oracle3_oltp_x_keeps_90pct awk -v g="$(rel osdb-oltp pv)" 'BEGIN { exit !(g >= 0.90) }'
check oracle4_web_x_keeps_97pct awk -v g="$(rel specweb pv)" 'BEGIN { exit !(g >= 0.97) }'
finish
