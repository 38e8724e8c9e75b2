# needs: machine_runs
# when: SELECT (SELECT count(*) FROM machine_runs WHERE workload IN ('lmbench-ctx-2p-0k', 'lmbench-ctx-2p-16k', 'lmbench-ctx-2p-64k', 'lmbench-ctx-8p-16k', 'lmbench-ctx-8p-64k', 'lmbench-ctx-16p-16k', 'lmbench-ctx-16p-64k') AND mode IN ('native', 'pv', 'bt', 'uml') AND n_ctx_switch > 0) = 28 * (SELECT count(*) FROM runs) AND (SELECT count(*) FROM machine_runs WHERE workload = 'lmbench-null-call' AND mode IN ('native', 'pv', 'bt', 'uml') AND n_syscall > 0) = 4 * (SELECT count(*) FROM runs) AND (SELECT count(DISTINCT point) FROM runs) = 1 -- needs the seven lmbench context-switch workloads of Table 4 and lmbench-null-call (lat_ctx's overhead) under native, pv, bt and uml (one point; bars the mean of its replications)
# [Barham03] Table 4 (lmbench context switch): microseconds per switch
# natively (L), under Xen (X, mode pv), VMware Workstation (V, mode bt)
# and User-Mode Linux (U, mode uml), for 2, 8 and 16 processes and
# working sets of 0, 16 and 64 KiB, log scale. Bars: vdcsim's (the run's
# cycles less its user-level cycles, per switch, at the machine's clock:
# cycles / seconds, less the same mode's null call: lat_ctx subtracts
# what one process pays for the token's pipe calls and the array's
# summing); black marks: the paper's (docs/references.md).
# With replications of the one point, a bar is their mean and each
# replication a dot.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
f = './machine_runs.csv'
# Replications of the one point: bars their mean, dots each one.
stats './runs.csv' using 1 nooutput
reps = STATS_records
# smooth unique averages the rows of one x, but an undefined point ends
# its run of rows: the rows a clause leaves out go to x = -100, off the
# plot, and an undefined value counts as 1 there.
fin(v, d) = v == v ? v : d
if (svg) {
    set terminal svg size 1100,500 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1100,500
}
set output outfile
bench(w) = (w eq 'lmbench-ctx-2p-0k') ? 0 : (w eq 'lmbench-ctx-2p-16k') ? 1 : \
           (w eq 'lmbench-ctx-2p-64k') ? 2 : (w eq 'lmbench-ctx-8p-16k') ? 3 : \
           (w eq 'lmbench-ctx-8p-64k') ? 4 : (w eq 'lmbench-ctx-16p-16k') ? 5 : \
           (w eq 'lmbench-ctx-16p-64k') ? 6 : NaN
slot(m) = (m eq 'native') ? 0 : (m eq 'pv') ? 1 : (m eq 'bt') ? 2 : \
          (m eq 'uml') ? 3 : NaN
x(w, m) = bench(w) + (slot(m) - 1.5) * 0.21
# Microseconds per switch of the row being plotted (the argument is
# unused: a gnuplot function needs one).
kus(n) = (column('cycles') - column('cycles_user')) / n * \
         column('seconds') / column('cycles') * 1e6
# lat_ctx's overhead per mode (by slot): the null call's microseconds,
# the mean of its replications.
modes = 'native pv bt uml'
null(m) = strcol('workload') eq 'lmbench-null-call' && strcol('mode') eq m ? \
          kus(column('n_syscall')) : 1/0
array ovh[4]
do for [i = 1:4] {
    stats f using (null(word(modes, i))) nooutput
    ovh[i] = STATS_mean
}
us(dummy) = kus(column('n_ctx_switch')) - ovh[slot(strcol('mode')) + 1]
# The paper's: benchmark, slot, microseconds.
$paper << EOD
bench,slot,value
0,0,0.77
0,1,1.97
0,2,18.1
0,3,15.5
1,0,0.91
1,1,2.22
1,2,17.6
1,3,14.6
2,0,1.06
2,1,2.67
2,2,21.3
2,3,14.4
3,0,1.03
3,1,3.07
3,2,22.4
3,3,16.3
4,0,24.3
4,1,28.7
4,2,51.6
4,3,36.8
5,0,3.61
5,1,7.08
5,2,41.7
5,3,23.6
6,0,37.6
6,1,39.4
6,2,72.2
6,3,52.0
EOD
set title 'lmbench context switch (Barham et al., SOSP 2003, Table 4): bars vdcsim, marks the paper'
set ylabel 'microseconds per switch'
set logscale y
set yrange [0.3:300]
set xrange [-0.6:6.6]
set xtics ('2p/0K' 0, '2p/16K' 1, '2p/64K' 2, '8p/16K' 3, '8p/64K' 4, '16p/16K' 5, '16p/64K' 6)
set grid ytics
set key outside top center horizontal
set style fill solid 0.8 border -1
set boxwidth 0.19
row(m) = strcol('mode') eq m ? x(strcol('workload'), m) : NaN
plot f using (fin(row('native'), -100)):(fin(us(0), 1)) smooth unique with boxes lc rgb '#4d4d4d' title 'L (native)', \
     f using (fin(row('pv'), -100)):(fin(us(0), 1)) smooth unique with boxes lc rgb '#1f77b4' title 'X (pv)', \
     f using (fin(row('bt'), -100)):(fin(us(0), 1)) smooth unique with boxes lc rgb '#ff7f0e' title 'V (bt)', \
     f using (fin(row('uml'), -100)):(fin(us(0), 1)) smooth unique with boxes lc rgb '#2ca02c' title 'U (uml)', \
     f using (reps > 1 ? x(strcol('workload'), strcol('mode')) : NaN):(us(0)) with points pt 6 ps 0.6 lc rgb '#333333' title (reps > 1 ? 'replications' : ''), \
     $paper using (column('bench') + (column('slot') - 1.5) * 0.21):(column('value')) with points pt 7 ps 1.2 lc rgb 'black' title 'paper'
