# needs: host_intervals, migrations
# when: SELECT (SELECT count(DISTINCT host) FROM host_intervals) BETWEEN 1 AND 8 AND (SELECT count(*) FROM runs) <= 4 -- needs at most 8 hosts (one curve each) and 4 runs (one panel each)
# CPU utilisation of each host over time, one panel per run, with a
# vertical mark at the start of every migration (dashed: its end), as in
# [Wood07]'s staged-hotspot figures.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
# No 'set datafile columnheaders': the CSVs' headers are read because
# columns are named; the table built below has none.
f = './host_intervals.csv'
g = './migrations.csv'
stats f using (column('run_id')) nooutput
nruns = int(STATS_max)
stats f using (column('time_ns')) nooutput
t0 = STATS_min
# The hosts, in the order of the first interval's rows (host order).
stats f using ((column('run_id') == 1 && column('time_ns') == t0) ? 1 : NaN) nooutput
nh = int(STATS_records)
array names[nh]
k = 0
stats f using ((column('run_id') == 1 && column('time_ns') == t0) ? (k = k + 1, names[k] = strcol('host'), 1) : NaN) nooutput
if (svg) {
    set terminal svg size 900,(300 * nruns + 60) dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,(300 * nruns + 60)
}
set output outfile
set multiplot layout nruns,1 title 'CPU utilisation per host; migrations marked (start solid, end dashed)'
set xlabel 'time (s)'
set ylabel 'CPU utilisation'
set grid ytics
set key outside right
do for [r=1:nruns] {
    set title sprintf('run %d (runs.csv says its parameters)', r)
    # The run's rows, host by host; every host has a row every interval,
    # so host i holds rows i N .. (i + 1) N - 1 (a filtered plot of the CSV
    # would break its curve at every row left out).
    set autoscale y
    set table $cpu separator comma
    plot for [i=1:nh] f using (column('time_ns') / 1e9):(column('cpu')) with table if (column('run_id') == r && strcol('host') eq names[i])
    unset table
    stats $cpu using 1 nooutput
    N = int(STATS_records) / nh
    set yrange [0:1.05]
    plot for [i=0:nh-1] $cpu every ::(i * N)::((i + 1) * N - 1) using 1:2 with linespoints pt 7 ps 0.4 title names[i + 1], \
         g using (column('run_id') == r ? column('start_ns') / 1e9 : NaN):(0):(0):(1.05) with vectors nohead lc rgb '#444444' lw 1.5 title 'migration start', \
         g using (column('run_id') == r ? column('end_ns') / 1e9 : NaN):(0):(0):(1.05) with vectors nohead dt 2 lc rgb '#888888' title 'migration end'
}
unset multiplot
