# needs: host_intervals
# when: SELECT (SELECT count(*) FROM runs) = 1 AND (SELECT count(DISTINCT host) FROM host_intervals) <= 8 AND (SELECT count(DISTINCT time_ns) FROM host_intervals) > 1 -- needs one run with a control loop over at most 8 hosts
# Each host's load in every control interval (host_intervals): CPU,
# network and memory utilisation, the three resources Sandpiper's volume
# combines (Wood et al. 2007), and the hotspot flag. One line per host,
# each with its own marker and dash; markers sit at a different place in
# the interval for each host.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude.
set datafile separator comma
set datafile columnheaders
f = './host_intervals.csv'
if (svg) {
    set terminal svg size 1000,900 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1000,900
}
set output outfile
hosts = ''
stats f using (strstrt(hosts.' ', ' '.strcol('host').' ') ? 0 : (hosts = hosts.' '.strcol('host'), 0)) nooutput
n = words(hosts)
stats f using (column('time_ns') / 1e9) nooutput
dt_s = STATS_max > STATS_min ? (STATS_max - STATS_min) / (STATS_records / n - 1) : 1
tmax = STATS_max
# A marker s seconds after its sample, or none past the last sample.
mx(x, s) = x + s <= tmax ? x + s : NaN
# Each host's rows in a datablock of its own: a line must not be broken by
# the other hosts' rows between its own.
do for [i=1:n] {
    eval sprintf('set table $H%d', i)
    plot f using (column('time_ns') / 1e9):(100 * column('cpu')):(100 * column('net')):(100 * column('mem')):(column('hot')) with table if (strcol('host') eq word(hosts, i))
    unset table
}
set datafile separator whitespace
set datafile nocolumnheaders
set multiplot layout 3,1 title 'Host load per control interval (filled marker: a hotspot)'
set grid
set key outside right
set yrange [0:105]
do for [c=2:4] {
    p = ''
    do for [i=1:n] {
        p = p.sprintf("%s$H%d using 1:%d with lines lw 1.5 lc %d dt %d notitle, $H%d using (mx($1, %.17g)):($5 > 0 ? NaN : $%d) with points pt %d lc %d notitle, $H%d using (mx($1, %.17g)):($5 > 0 ? $%d : NaN) with points pt 7 lc %d notitle, NaN with linespoints lw 1.5 lc %d dt %d pt %d title '%s'", i > 1 ? ', ' : '', i, c, i, i, i, dt_s * i / (n + 1.0), c, (i % 13) + 1, i, i, dt_s * i / (n + 1.0), c, i, i, i, (i % 13) + 1, word(hosts, i))
    }
    if (c == 2) { set ylabel 'CPU (%)' }
    if (c == 3) { set ylabel 'network (%)' }
    if (c == 4) { set ylabel 'memory (%)' }
    if (c == 4) { set xlabel 'time (s)' }
    eval 'plot '.p
}
unset multiplot
