# needs: machine_runs
# when: SELECT (SELECT count(DISTINCT point) FROM runs) > 1 AND (SELECT count(DISTINCT c) FROM (SELECT count(*) AS c FROM runs GROUP BY point)) = 1 AND (SELECT count(DISTINCT c) FROM (SELECT count(*) AS c FROM machine_runs GROUP BY run_id)) = 1 AND (SELECT count(*) FROM (SELECT DISTINCT workload, mode FROM machine_runs)) * (SELECT count(*) FROM runs) = (SELECT count(*) FROM machine_runs) AND (SELECT count(*) FROM machine_runs) <= 16 * (SELECT count(*) FROM runs) -- needs a sweep of a machine: experiment with as many replications at every point and the same workloads and modes (at most 16 rows) in every run
# A machine: experiment swept over machine keys or machine-file overrides
# (machine.overrides.bt.fault: [760, 2000, 5000]): each workload and
# non-native mode's slowdown against native at every sweep point, one
# line each, the x axis naming each point by its swept values. With
# machine.sampling the error bars are the interval of the mode's own CPI
# (cpi_half), scaled as its slowdown; with replications a line joins each
# point's mean (no bars). Every run holds the same
# workload-mode rows in the same order (machine_runs is written run by
# run), so a row's line is its index within its run.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude (point_text: a point's swept values;
# point_keys: the swept paths).
set datafile separator comma
set datafile columnheaders
f = './machine_runs.csv'
r = './runs.csv'
stats r using (column('run_id')) nooutput
nruns = STATS_records
maxrun = int(STATS_max)
stats f using (column('slowdown')) nooutput
rows = STATS_records
n = rows / nruns
# The sweep point of each run.
array pt[maxrun]
stats r using (pt[int(column('run_id'))] = column('point'), 0) nooutput
# Each line's title, from the first run's rows.
array lab[n]
array nat[n]
stats f using (int($0) < n ? (lab[int($0) + 1] = strcol('workload') . ' ' . strcol('mode'), nat[int($0) + 1] = (strcol('mode') eq 'native'), 0) : 0) nooutput
# Each non-native line's own colour (the 8 of the default line types,
# then again with squares, then triangles): native's rows take none, so
# that no two drawn lines share a colour and a marker.
array col[n]
k = 0
do for [i=1:n] { if (!nat[i]) { k = k + 1; col[i] = k } else { col[i] = 1 } }
ptype(c) = c <= 8 ? 7 : c <= 16 ? 5 : 9
stats f using (column('sampled')) nooutput
sampled = STATS_max > 0
stats r using (column('point')) nooutput
p0 = int(STATS_min)
p1 = int(STATS_max)
if (svg) {
    set terminal svg size 900,560 dynamic background rgb 'white' noenhanced
} else {
    set terminal pngcairo size 900,560 noenhanced
}
set output outfile
# Tics at the points, labelled with their swept values (no quotes in them:
# sim_plots_prelude).
tics = ''
do for [p=p0:p1] { tics = tics.sprintf("%s'%s' %d", strlen(tics) ? ', ' : '', point_text(p), p) }
eval 'set xtics ('.tics.')'
if (p1 - p0 >= 6) { set xtics rotate by 30 right }
set title 'Slowdown against native at each sweep point'
set xlabel (strlen(point_keys) ? point_keys : 'sweep point')
set ylabel 'cycles / native cycles (same stream)'
set offsets 0.3, 0.3, graph 0.05, graph 0.05
set grid
set key outside right top vertical
# Line i takes row i of every run (every n::i - 1, i from 1); native's
# rows are NaN (its slowdown is 1 by definition).
x(i) = !nat[i] ? pt[int(column('run_id'))] : NaN
half(i) = sampled && column('cpi') > 0 ? column('cpi_half') / column('cpi') * column('slowdown') : 0
reps = nruns / (p1 - p0 + 1)
if (sampled && reps == 1) {
    plot for [i=1:n] f every n::i - 1 using (x(i)):(column('slowdown')):(half(i)) with yerrorlines lw 1.5 lc col[i] pt ptype(col[i]) title (nat[i] ? '' : lab[i])
} else {
    # With replications, smooth unique draws each point's mean (a native
    # row's x is undefined: each of its rows ends a run of rows, and the
    # line is not drawn anyway).
    plot for [i=1:n] f every n::i - 1 using (x(i)):(column('slowdown')) smooth unique with linespoints lw 1.5 lc col[i] pt ptype(col[i]) title (nat[i] ? '' : lab[i])
}
