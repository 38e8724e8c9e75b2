# needs: summary, migrations
# Each migration's mean downtime and total time over the replications of
# each sweep point, with the 95 % confidence interval of the mean (Student's
# t) as error bars: the summary table, written when a point has more than
# one replication. The x axis names each point by its swept values; the
# migrations of a point sit side by side, each with its own marker.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude (point_text: a point's swept values;
# point_keys: the swept paths).
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
# The migration number of an entity 'migration=3 vm=web'.
mig(u) = int(substr(strcol('entity'), 11, strstrt(strcol('entity'), ' ') - 1))
stats f using (is('downtime_ns') ? mig(0) : NaN) nooutput
nmig = int(STATS_max) + 1
stats f using (is('downtime_ns') ? column('point') : NaN) nooutput
p0 = int(STATS_min)
p1 = int(STATS_max)
# Tics at the points, labelled with their swept values (no quotes in them:
# sim_plots_prelude), when there are few enough to read.
if (p1 - p0 <= 24) {
    tics = ''
    do for [p=p0:p1] { tics = tics.sprintf("%s'%s' %d", strlen(tics) ? ', ' : '', point_text(p), p) }
    eval 'set xtics ('.tics.')'
    if (p1 - p0 >= 6) { set xtics rotate by 30 right }
}
set multiplot layout 2,1 title 'Migrations over the replications of each sweep point (mean, 95 % CI)'
set xlabel (strlen(point_keys) ? point_keys : 'sweep point') noenhanced
set grid
set offsets 0.5, 0.5, graph 0.05, graph 0.05
# Up to 8 migrations drawn apart (marker and shift); more share the last.
k(i) = i < 8 ? i : 7
nk = nmig < 8 ? nmig : 8
dx(i) = nk > 1 ? (k(i) - (nk - 1) / 2.0) * 0.5 / nk : 0
# Filled and open markers large enough to see over a short error bar.
pt(i) = int(word('7 5 9 11 13 4 6 8', i + 1))
if (nk > 1) { set key outside right } else { set key off }
# Rows of other metrics give NaN in every column, so that they take no
# part in the autoscaled ranges either.
v(m, c) = is(m) ? column(c) / 1e9 : NaN
x(m, i) = is(m) && k(mig(0)) == i ? column('point') + dx(i) : NaN
set ylabel 'downtime (s)'
plot for [i=0:nk-1] f using (x('downtime_ns', i)):(v('downtime_ns', 'mean')):(v('downtime_ns', 'ci95_low')):(v('downtime_ns', 'ci95_high')) with yerrorbars pt pt(i) ps 1.5 lw 1.5 title (i == 7 && nmig > 8 ? 'migrations 7..' : sprintf('migration %d', i))
set ylabel 'total time (s)'
plot for [i=0:nk-1] f using (x('total_ns', i)):(v('total_ns', 'mean')):(v('total_ns', 'ci95_low')):(v('total_ns', 'ci95_high')) with yerrorbars pt pt(i) ps 1.5 lw 1.5 title (i == 7 && nmig > 8 ? 'migrations 7..' : sprintf('migration %d', i))
unset multiplot
