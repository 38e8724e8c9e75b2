# needs: machine_runs
# when: SELECT count(*) = 24 * (SELECT count(*) FROM runs) AND (SELECT count(DISTINCT point) FROM runs) = 1 FROM machine_runs WHERE workload IN ('spec-cint', 'linux-build', 'osdb-ir', 'osdb-oltp', 'dbench', 'specweb') AND mode IN ('native', 'pv', 'bt', 'uml') -- needs the six Figure 3 workloads under native, pv, bt and uml (one point; bars the mean of its replications)
# [Barham03] Figure 3: relative performance of native Linux (L), Xen (X,
# mode pv), VMware Workstation (V, mode bt) and User-Mode Linux (U, mode
# uml) on six benchmarks. Bars: vdcsim's relative throughput (native
# cycles / the mode's, on the same stream); black marks: the paper's
# values (its bar labels over native's, docs/references.md).
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
bench(w) = (w eq 'spec-cint') ? 0 : (w eq 'linux-build') ? 1 : \
           (w eq 'osdb-ir') ? 2 : (w eq 'osdb-oltp') ? 3 : \
           (w eq 'dbench') ? 4 : (w eq 'specweb') ? 5 : NaN
slot(m) = (m eq 'native') ? 0 : (m eq 'pv') ? 1 : (m eq 'bt') ? 2 : \
          (m eq 'uml') ? 3 : NaN
x(w, m) = bench(w) + (slot(m) - 1.5) * 0.21
# The paper's relative values: benchmark, slot, value (its bar labels
# over native's).
$paper << EOD
bench,slot,value
0,0,1.00
0,1,1.00
0,2,0.977
0,3,0.970
1,0,1.00
1,1,0.970
1,2,0.787
1,3,0.492
2,0,1.00
2,1,0.919
2,2,0.465
2,3,0.378
3,0,1.00
3,1,0.953
3,2,0.116
3,3,0.179
4,0,1.00
4,1,0.957
4,2,0.742
4,3,0.266
5,0,1.00
5,1,0.992
5,2,0.290
5,3,0.332
EOD
set title 'Relative performance (Barham et al., SOSP 2003, Figure 3): bars vdcsim, marks the paper'
set ylabel 'relative to native'
set yrange [0:1.15]
set xrange [-0.6:5.6]
set xtics ('SPEC INT2000' 0, 'Linux build' 1, 'OSDB-IR' 2, 'OSDB-OLTP' 3, \
           'dbench' 4, 'SPEC WEB99' 5)
set grid ytics
set key top right horizontal
set style fill solid 0.8 border -1
row(m) = strcol('mode') eq m ? x(strcol('workload'), m) : NaN
set boxwidth 0.19
plot f using (fin(row('native'), -100)):(fin(column('relative'), 1)) smooth unique with boxes lc rgb '#4d4d4d' title 'L (native)', \
     f using (fin(row('pv'), -100)):(fin(column('relative'), 1)) smooth unique with boxes lc rgb '#1f77b4' title 'X (pv)', \
     f using (fin(row('bt'), -100)):(fin(column('relative'), 1)) smooth unique with boxes lc rgb '#ff7f0e' title 'V (bt)', \
     f using (fin(row('uml'), -100)):(fin(column('relative'), 1)) smooth unique with boxes lc rgb '#2ca02c' title 'U (uml)', \
     f using (reps > 1 ? x(strcol('workload'), strcol('mode')) : NaN):(column('relative')) with points pt 6 ps 0.6 lc rgb '#333333' title (reps > 1 ? 'replications' : ''), \
     $paper using (column('bench') + (column('slot') - 1.5) * 0.21):(column('value')) with points pt 7 ps 1.2 lc rgb 'black' title 'paper'
