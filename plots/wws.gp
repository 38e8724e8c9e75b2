# needs: wws
# Clark et al. 2005, figures 3-6: expected downtime of the last stop-and-copy
# against the time migration starts, one curve per number of pre-copy
# iterations, one panel per bandwidth (vdcsim wws). Each curve has its own
# marker (every fortieth point) and dash, so that coinciding curves show.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude (text_bps: a rate in its exact unit).
set datafile separator comma
set datafile columnheaders
f = './wws.csv'
stats f using (column('panel')) nooutput
npanels = int(STATS_max) + 1
stats f using (column('iterations')) nooutput
maxn = int(STATS_max)
if (svg) {
    set terminal svg size 900,300 * npanels + 60 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,300 * npanels + 60
}
set output outfile
set multiplot layout npanels,1 title 'Expected downtime of the final stop-and-copy'
set grid
set logscale y
set format y '%g'
set mytics 10
set key outside right
set ylabel 'downtime (s)'
do for [p=0:npanels-1] {
    stats f using (column('panel') == p ? column('bandwidth_bps') : NaN) nooutput
    set title text_bps(STATS_max)
    if (p == npanels - 1) { set xlabel 'migration start (s)' } else { unset xlabel }
    plot for [n=0:maxn] f using (column('panel') == p && column('iterations') == n ? column('start_s') : NaN):(column('downtime_s')) with linespoints lw 1.5 pt ((n % 13) + 1) pi 40 dt 1 + n % 5 title (n == 0 ? 'stop-and-copy' : sprintf('%d iteration%s', n, n == 1 ? '' : 's'))
}
unset multiplot
