# needs: machine_runs
# when: SELECT count(*) = 48 * (SELECT count(*) FROM runs) AND (SELECT count(DISTINCT point) FROM runs) = 1 FROM machine_runs WHERE workload IN ('lmbench-null-call', 'lmbench-null-io', 'lmbench-stat', 'lmbench-open-close', 'lmbench-sig-inst', 'lmbench-sig-hndl', 'lmbench-fork', 'lmbench-exec', 'lmbench-sh', 'lmbench-page-fault', 'lmbench-mmap', 'lmbench-prot-fault') AND mode IN ('native', 'pv', 'bt', 'uml') -- needs the twelve lmbench workloads of Tables 3 and 5 under native, pv, bt and uml (one point; bars the mean of its replications)
# [Barham03] Tables 3 and 5 (lmbench): slowdown against native Linux of
# Xen (X, mode pv), VMware Workstation (V, mode bt) and User-Mode Linux
# (U, mode uml) on twelve microbenchmarks, log scale. Bars: vdcsim's
# slowdown (the mode's cycles / native's, on the same stream); black
# marks: the paper's latencies over native's (docs/references.md).
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
    set terminal svg size 1300,500 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1300,500
}
set output outfile
bench(w) = (w eq 'lmbench-null-call') ? 0 : \
           (w eq 'lmbench-null-io') ? 1 : \
           (w eq 'lmbench-stat') ? 2 : \
           (w eq 'lmbench-open-close') ? 3 : \
           (w eq 'lmbench-sig-inst') ? 4 : \
           (w eq 'lmbench-sig-hndl') ? 5 : \
           (w eq 'lmbench-fork') ? 6 : \
           (w eq 'lmbench-exec') ? 7 : \
           (w eq 'lmbench-sh') ? 8 : \
           (w eq 'lmbench-page-fault') ? 9 : \
           (w eq 'lmbench-mmap') ? 10 : \
           (w eq 'lmbench-prot-fault') ? 11 : NaN
slot(m) = (m eq 'pv') ? 0 : (m eq 'bt') ? 1 : (m eq 'uml') ? 2 : NaN
x(w, m) = bench(w) + (slot(m) - 1) * 0.27
# The paper's latencies over native's: benchmark, slot, value.
$paper << EOD
bench,slot,value
0,0,1.022
0,1,1.622
0,2,54.89
1,0,1
1,1,1.66
1,2,50.2
2,0,0.9531
2,1,1.469
2,2,28.2
3,0,0.9792
3,1,1.557
3,2,32.71
4,0,1.015
4,1,1.5
4,2,38.24
5,0,0.7028
5,1,1.859
5,2,18.47
6,0,1.8
6,1,7.945
6,2,190.9
7,0,1.449
7,1,4.34
7,2,62.26
8,0,1.2
8,1,2.5
8,2,14.5
9,0,1.923
9,1,8.732
9,2,18.52
10,0,2.044
10,1,9.118
10,2,20.59
11,0,1.321
11,1,7.104
11,2,20.57
EOD
set title 'lmbench slowdown against native (Barham et al., SOSP 2003, Tables 3 and 5): bars vdcsim, marks the paper'
set ylabel 'latency / native latency'
set logscale y
set yrange [0.5:1000]
set xrange [-0.6:11.6]
set xtics ('null call' 0, 'null I/O' 1, 'stat' 2, 'open/close' 3, 'sig inst' 4, 'sig hndl' 5, 'fork' 6, 'exec' 7, 'sh' 8, 'page fault' 9, 'mmap' 10, 'prot fault' 11) rotate by -30
set grid ytics
set key top left horizontal
set style fill solid 0.8 border -1
row(m) = strcol('mode') eq m ? x(strcol('workload'), m) : NaN
set boxwidth 0.25
plot f using (fin(row('pv'), -100)):(fin(column('slowdown'), 1)) smooth unique with boxes lc rgb '#1f77b4' title 'X (pv)', \
     f using (fin(row('bt'), -100)):(fin(column('slowdown'), 1)) smooth unique with boxes lc rgb '#ff7f0e' title 'V (bt)', \
     f using (fin(row('uml'), -100)):(fin(column('slowdown'), 1)) smooth unique with boxes lc rgb '#2ca02c' title 'U (uml)', \
     f using (reps > 1 ? x(strcol('workload'), strcol('mode')) : NaN):(column('slowdown')) with points pt 6 ps 0.6 lc rgb '#333333' title (reps > 1 ? 'replications' : ''), \
     $paper using (column('bench') + (column('slot') - 1) * 0.27):(column('value')) with points pt 7 ps 1.2 lc rgb 'black' title 'paper'
