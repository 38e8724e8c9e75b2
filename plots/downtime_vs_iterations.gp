# needs: migrations
# when: SELECT count(DISTINCT rounds) > 1 FROM migrations WHERE scheme IN ('precopy', 'hybrid') -- needs pre-copy migrations with more than one count of rounds
# Downtime against the number of live pre-copy rounds, one curve per
# maximum migration rate (the downtime-vs-iterations curves of Clark et al.
# 2005). One point per run of the sweep.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
f = './migrations.csv'
if (svg) {
    set terminal svg size 900,600 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,600
}
set output outfile
# The distinct max_rate values, in increasing order.
stats f using (column('max_rate_bps')) nooutput
top = STATS_max
rates = ''
prev = -1
while (prev < top) {
    stats f using (column('max_rate_bps') > prev ? column('max_rate_bps') : NaN) nooutput
    prev = STATS_min
    rates = rates.sprintf(' %.0f', prev)
}
set title 'Downtime against pre-copy iterations, one curve per maximum rate'
set xlabel 'live pre-copy rounds'
set ylabel 'downtime (s)'
set logscale y
set grid
set key outside right
set style data linespoints
plot for [r in rates] f using (column('max_rate_bps') == r + 0 ? column('rounds') : NaN):(column('downtime_s')) smooth unique title sprintf('%g Mibit/s', (r + 0) / 1048576.0)
