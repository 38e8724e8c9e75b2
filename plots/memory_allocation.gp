# needs: vm_intervals
# when: SELECT EXISTS (SELECT 1 FROM vm_intervals WHERE swap_bps > 0) AND (SELECT count(DISTINCT vm) FROM vm_intervals) <= 4 AND (SELECT count(*) FROM runs) <= 4 -- needs a VM that swapped, at most 4 VMs and 4 runs
# Memory allocation against the working set of each VM over time, one
# panel per run: where the allocation is below the working set the VM
# swaps. Black-box Sandpiper climbs in mem_step stairs, grey-box jumps to
# the working set in one step [Wood07].
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
# No 'set datafile columnheaders': the CSVs' headers are read because
# columns are named; the table built below has none.
f = './vm_intervals.csv'
stats f using (column('run_id')) nooutput
nruns = int(STATS_max)
stats f using (column('time_ns')) nooutput
t0 = STATS_min
# The VMs, in the order of the first interval's rows (config order).
stats f using ((column('run_id') == 1 && column('time_ns') == t0) ? 1 : NaN) nooutput
nv = int(STATS_records)
array names[nv]
k = 0
stats f using ((column('run_id') == 1 && column('time_ns') == t0) ? (k = k + 1, names[k] = strcol('vm'), 1) : NaN) nooutput
if (svg) {
    set terminal svg size 900,(300 * nruns + 60) dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,(300 * nruns + 60)
}
set output outfile
set multiplot layout nruns,1 title 'Memory: working set (line) and allocation (steps) per VM'
set xlabel 'time (s)'
set ylabel 'memory (MiB)'
set yrange [0:*]
set grid ytics
set key outside right
do for [r=1:nruns] {
    set title sprintf('run %d (runs.csv says its parameters)', r)
    # The run's rows, vm by vm; every vm has a row every interval,
    # so vm i holds rows i N .. (i + 1) N - 1 (a filtered plot of the CSV
    # would break its curve at every row left out).
    set table $v separator comma
    plot for [i=1:nv] f using (column('time_ns') / 1e9):(column('mem_use_bytes') / 1048576.0):(column('mem_alloc_bytes') / 1048576.0):(column('swap_bps') > 0) with table if (column('run_id') == r && strcol('vm') eq names[i])
    unset table
    stats $v using 1 nooutput
    N = int(STATS_records) / nv
    plot for [i=0:nv-1] $v every ::(i * N)::((i + 1) * N - 1) using 1:2 with lines lw 2 lc i + 1 title names[i + 1].' working set', \
         for [i=0:nv-1] $v every ::(i * N)::((i + 1) * N - 1) using 1:3 with steps dt 2 lw 2 lc i + 1 title names[i + 1].' allocation', \
         for [i=0:nv-1] $v every ::(i * N)::((i + 1) * N - 1) using 1:($4 > 0 ? $2 : NaN) with points pt 2 ps 0.8 lc i + 1 title names[i + 1].' swapping'
}
unset multiplot
