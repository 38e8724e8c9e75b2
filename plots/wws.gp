# needs: wws, dirty_rate
# Clark et al. 2005, figures 3-6: expected downtime of the last stop-and-copy
# against the time migration starts, one curve per number of pre-copy
# iterations (0 = stop-and-copy), one panel per bandwidth, and under them
# the page dirtying rate over the same time axis (vdcsim wws). Each curve has
# its own marker (every fortieth point) and dash, so that coinciding curves
# show. A downtime of 0 (no page dirtied in the last round) has no place on
# a log axis: it is drawn as a triangle on the axis floor, never dropped.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude (text_bps: a rate in its exact unit).
set datafile separator comma
set datafile columnheaders
f = './wws.csv'
r = './dirty_rate.csv'
stats f using (column('panel')) nooutput
npanels = int(STATS_max) + 1
stats f using (column('iterations')) nooutput
maxn = int(STATS_max)
stats r using (column('time_s')) nooutput
tmax = STATS_max
# The floor: a decade below the smallest downtime above 0 (1 ms if none).
stats f using (column('downtime_s') > 0 ? column('downtime_s') : 1e30) nooutput
yfloor = STATS_min < 1e30 ? 10 ** (floor(log10(STATS_min)) - 1) : 1e-3
stats f using (column('downtime_s') == 0 ? 1 : 0) nooutput
nzero = int(STATS_sum)
h = 260
if (svg) {
    set terminal svg size 1000,h * npanels + 240 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1000,h * npanels + 240
}
set output outfile
set multiplot layout npanels + 1,1 title 'Expected downtime of the final stop-and-copy, and the page dirtying rate'
set lmargin 12
set rmargin 26
set grid
set format y '%g'
set mytics 10
set xrange [0:tmax]
set key outside right top
# Series markers skip 9 (the floor's triangle): 1..8, 10..14.
do for [p=0:npanels-1] {
    stats f using (column('panel') == p ? column('bandwidth_bps') : NaN) nooutput
    set title text_bps(STATS_max)
    set logscale y
    set yrange [yfloor:*]
    set ylabel 'downtime (s)'
    unset xlabel
    plot for [n=0:maxn] f using (column('panel') == p && column('iterations') == n ? column('start_s') : NaN):(column('downtime_s') > 0 ? column('downtime_s') : NaN) with linespoints lw 1.5 lc n + 1 pt (n % 13 < 8 ? n % 13 + 1 : n % 13 + 2) pi 40 dt 1 + n % 5 title (n == 0 ? 'stop-and-copy' : sprintf('%d iteration%s', n, n == 1 ? '' : 's')), \
         f using (column('panel') == p && column('downtime_s') == 0 ? column('start_s') : NaN):(yfloor) with points pt 9 ps 1.2 lc rgb 'black' title (nzero > 0 ? 'downtime 0 (on the floor)' : '')
}
unset logscale y
set yrange [0:*]
set title 'Page dirtying rate'
set xlabel 'migration start / trace time (s)'
set ylabel 'Mibit/s'
plot r using (column('time_s')):(column('rate_mibit_s')) with steps lc rgb 'dark-red' notitle
unset multiplot
