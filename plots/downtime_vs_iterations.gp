# needs: migrations
# when: SELECT count(DISTINCT rounds) > 1 FROM migrations WHERE scheme IN ('precopy', 'hybrid') -- needs pre-copy migrations with more than one count of rounds
# Downtime against the number of live pre-copy rounds, one curve per
# maximum migration rate (the downtime-vs-iterations curves of Clark et al.
# 2005). One point per run of the sweep (the mean of replications).
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude (text_bps: a rate as the user wrote it).
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
n = words(rates)
stats f using (column('rounds')) nooutput
set title 'Downtime against pre-copy iterations, one curve per maximum rate'
set xlabel 'live pre-copy rounds'
set ylabel 'downtime (s)'
# A log axis labelled at its decades, in plain numbers.
set logscale y
set format y '%g'
set mytics 10
if (STATS_max - STATS_min <= 20) { set xtics 1 }
set offsets 0.3, 0.3, 0, 0
set grid
set key outside right title 'maximum rate'
# Curves that coincide stay visible: each has its own marker and dash, and
# is shifted sideways by a fraction of a round.
dx(i) = n > 1 ? (i - (n + 1) / 2.0) * 0.25 / n : 0
plot for [i=1:n] f using (column('max_rate_bps') == word(rates, i) + 0 ? column('rounds') + dx(i) : NaN):(column('downtime_s')) smooth unique with linespoints lw 1.5 pt (i % 13) + 1 ps 1.2 dt i title text_bps(word(rates, i) + 0)
