# needs: host_intervals, actions
# when: SELECT (SELECT count(*) FROM runs) > 1 AND EXISTS (SELECT 1 FROM pragma_table_info('runs') WHERE name LIKE 'vms.%.count') AND (SELECT count(*) FROM host_intervals) <= 400000 AND (SELECT count(DISTINCT n) FROM (SELECT count(*) AS n FROM host_intervals GROUP BY run_id)) = 1 -- needs a sweep over a VM group's count (the scale study) whose runs have as many host-intervals each, at most 400,000 in all
# Sandpiper's scale study (configs/sandpiper/scale-study.yaml): per sweep
# point (run), the mean host CPU utilisation and the share of
# host-intervals flagged hot; then, log scale, the hot host-intervals and
# the migrations and swaps Sandpiper started against them. Counts per run come from
# gnuplot's smooth frequency over run_id (one replication per point:
# run k is sweep point k - 1).
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
hi = './host_intervals.csv'
ac = './actions.csv'
if (svg) {
    set terminal svg size 900,800 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,800
}
set output outfile
# Host-intervals per run (every run of the study has the same number).
stats hi using (column('run_id') == 1 ? 1 : NaN) nooutput
n = STATS_records
set multiplot layout 2,1 title 'Sandpiper at about 500 hosts: load swept (run k = sweep point k - 1)'
set xlabel 'run'
set grid
set xtics 1
set offsets 0.5, 0.5, 0, 0
set key top left
set ylabel 'mean host CPU utilisation (%)'
set y2label 'host-intervals hot (%)'
set y2tics
set ytics nomirror
plot hi using (column('run_id')):(100 * column('cpu') / n) smooth frequency with linespoints pt 7 title 'mean host CPU utilisation', \
     hi using (column('run_id')):(100 * column('hot') / n) smooth frequency axes x1y2 with linespoints pt 5 title 'host-intervals hot (right axis)'
unset y2tics
unset y2label
set ytics mirror
set ylabel 'per run'
set logscale y
# Runs with no swap sum to 0 and fall below the axis.
set yrange [0.5:*]
plot hi using (column('run_id')):(column('hot')) smooth frequency with linespoints pt 9 title 'hot host-intervals', \
     ac using (column('run_id')):((strcol('kind') eq 'migrate' && strcol('outcome') eq 'started') ? 1 : 0) smooth frequency with linespoints pt 7 title 'migrations started', \
     ac using (column('run_id')):((strcol('kind') eq 'swap' && strcol('outcome') eq 'started') ? 1 : 0) smooth frequency with linespoints pt 5 title 'swaps started (0: below the axis)'
unset multiplot
