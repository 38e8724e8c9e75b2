# needs: machine_runs
# when: SELECT count(*) = 21 * (SELECT count(*) FROM runs) AND (SELECT count(DISTINCT point) FROM runs) = 1 FROM machine_runs WHERE workload IN ('aa-syscall', 'aa-in', 'aa-cr8wr', 'aa-call-ret', 'aa-pgfault', 'aa-divzero', 'aa-ptemod') AND mode IN ('native', 'bt', 'hw') -- needs the seven nanobenchmarks of Adams and Agesen under native, bt and hw (one point; bars the mean of its replications)
# [AdamsAgesen06] Table 2: cycles per operation of seven nanobenchmarks
# natively, under VMware's binary translator (mode bt) and under first-
# generation VT-x with shadow page tables (mode hw), log scale. Bars:
# vdcsim's cycles per operation (the run's cycles over its count of the
# operation: syscalls, privileged instructions, exceptions or PTE
# writes; for call/ret, half the instructions, as the aa-call-ret mix is
# half calls and returns, workloads/README.md), loop overhead included;
# black marks: the paper's values (docs/references.md).
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
    set terminal svg size 1000,500 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1000,500
}
set output outfile
bench(w) = (w eq 'aa-syscall') ? 0 : (w eq 'aa-in') ? 1 : \
           (w eq 'aa-cr8wr') ? 2 : (w eq 'aa-call-ret') ? 3 : \
           (w eq 'aa-pgfault') ? 4 : (w eq 'aa-divzero') ? 5 : \
           (w eq 'aa-ptemod') ? 6 : NaN
slot(m) = (m eq 'native') ? 0 : (m eq 'bt') ? 1 : (m eq 'hw') ? 2 : NaN
x(w, m) = bench(w) + (slot(m) - 1) * 0.27
# The count of operations of the row being plotted.
ops(w) = (w eq 'aa-syscall') ? column('n_syscall') : \
         (w eq 'aa-in' || w eq 'aa-cr8wr') ? column('n_priv') : \
         (w eq 'aa-call-ret') ? column('instructions') * 0.5 : \
         (w eq 'aa-pgfault' || w eq 'aa-divzero') ? column('n_exception') : \
         (w eq 'aa-ptemod') ? column('n_pte_write') : NaN
per_op(w) = ops(w) > 0 ? column('cycles') / ops(w) : NaN
# The paper's cycles: benchmark, slot, value (cr8wr's native and VT-x
# values are the reference's approximations).
$paper << EOD
bench,slot,value
0,0,242
0,1,2308
0,2,242
1,0,3209
1,1,216
1,2,15826
2,0,150
2,1,35
2,2,150
3,0,11
3,1,51
3,2,11
4,0,1093
4,1,3927
4,2,11242
5,0,889
5,1,3223
5,2,1014
6,0,1
6,1,391
6,2,12733
EOD
set title 'Nanobenchmarks (Adams and Agesen, ASPLOS 2006, Table 2): bars vdcsim, marks the paper'
set ylabel 'cycles per operation'
set logscale y
set yrange [0.5:100000]
set xrange [-0.6:6.6]
set xtics ('syscall' 0, 'in' 1, 'cr8wr' 2, 'call/ret' 3, 'pgfault' 4, 'divzero' 5, 'ptemod' 6)
set grid ytics
set key outside top center horizontal
set style fill solid 0.8 border -1
set boxwidth 0.25
row(m) = strcol('mode') eq m ? x(strcol('workload'), m) : NaN
plot f using (fin(row('native'), -100)):(fin(per_op(strcol('workload')), 1)) smooth unique with boxes lc rgb '#4d4d4d' title 'native', \
     f using (fin(row('bt'), -100)):(fin(per_op(strcol('workload')), 1)) smooth unique with boxes lc rgb '#ff7f0e' title 'BT (bt)', \
     f using (fin(row('hw'), -100)):(fin(per_op(strcol('workload')), 1)) smooth unique with boxes lc rgb '#2ca02c' title 'VT-x, shadow tables (hw)', \
     f using (reps > 1 ? x(strcol('workload'), strcol('mode')) : NaN):(per_op(strcol('workload'))) with points pt 6 ps 0.6 lc rgb '#333333' title (reps > 1 ? 'replications' : ''), \
     $paper using (column('bench') + (column('slot') - 1) * 0.27):(column('value')) with points pt 7 ps 1.2 lc rgb 'black' title 'paper'
