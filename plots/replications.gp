# needs: summary, migrations
# Each migration's mean downtime and total time over the replications of
# each sweep point, with the 95 % confidence interval of the mean (Student's
# t) as error bars: the summary table, written when a point has more than
# one replication.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
f = './summary.csv'
if (svg) {
    set terminal svg size 900,800 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,800
}
set output outfile
is(m) = strcol('tbl') eq 'migrations' && strcol('metric') eq m && column('n') > 1
set multiplot layout 2,1 title 'Migrations over the replications of each sweep point (mean, 95 % CI)'
set xlabel 'sweep point'
set grid
set key off
set offsets 0.5, 0.5, 0, 0
set xtics 1
set ylabel 'downtime (s)'
# Rows of other metrics give NaN in every column, so that they take no
# part in the autoscaled ranges either.
v(m, c) = is(m) ? column(c) / 1e9 : NaN
plot f using (is('downtime_ns') ? column('point') : NaN):(v('downtime_ns', 'mean')):(v('downtime_ns', 'ci95_low')):(v('downtime_ns', 'ci95_high')) with yerrorbars pt 7
set ylabel 'total time (s)'
plot f using (is('total_ns') ? column('point') : NaN):(v('total_ns', 'mean')):(v('total_ns', 'ci95_low')):(v('total_ns', 'ci95_high')) with yerrorbars pt 7
unset multiplot
