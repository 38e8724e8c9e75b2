# needs: host_samples
# when: SELECT (SELECT count(*) FROM runs) = 1 AND (SELECT count(DISTINCT host) FROM host_samples) <= 8 AND (SELECT count(DISTINCT host || '=' || memory_committed_bytes) FROM host_samples) > (SELECT count(DISTINCT host) FROM host_samples) -- needs one run of at most 8 hosts whose committed memory changes
# Memory committed and VMs on each host over time (host_samples): a
# migration moves a VM's memory from its source to its destination. One
# step line per host, each with its own marker and dash; markers sit at a
# different place in each interval for each host.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude.
set datafile separator comma
set datafile columnheaders
f = './host_samples.csv'
if (svg) {
    set terminal svg size 1000,700 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1000,700
}
set output outfile
# The hosts, in the order of their first sample (names hold no spaces).
hosts = ''
stats f using (strstrt(hosts.' ', ' '.strcol('host').' ') ? 0 : (hosts = hosts.' '.strcol('host'), 0)) nooutput
n = words(hosts)
# The sampling period, for the markers' places.
stats f using (column('time_ns') / 1e9) nooutput
dt_s = STATS_max > STATS_min ? (STATS_max - STATS_min) / (STATS_records / n) : 1
tmax = STATS_max
# A marker s seconds after its sample, or none past the last sample.
mx(x, s) = x + s <= tmax ? x + s : NaN
set grid
set key outside right
set xlabel 'time (s)'
# Each host's rows in a datablock of its own ($H1, $H2, ...): a step line
# must not be broken by the other hosts' rows between its own.
do for [i=1:n] {
    eval sprintf('set table $H%d', i)
    plot f using (column('time_ns') / 1e9):(column('memory_committed_bytes') / 1073741824.0):(column('vms')) with table if (strcol('host') eq word(hosts, i))
    unset table
}
# The datablocks are gnuplot's own tables: blank-separated, no header.
set datafile separator whitespace
set datafile nocolumnheaders
set multiplot layout 2,1 title 'Hosts over time'
set ylabel 'memory committed (GiB)'
set format y '%g'
set yrange [0:*]
set offsets 0, 0, graph 0.05, 0
# Each panel's plot command, built per host (host names hold no quotes:
# the config allows letters, digits, '-', '_' and '/').
do for [c=2:3] {
    p = ''
    do for [i=1:n] {
        p = p.sprintf("%s$H%d using 1:%d with steps lw 1.5 lc %d dt %d notitle, $H%d using (mx($1, %.17g)):%d with points pt %d lc %d notitle, NaN with linespoints lw 1.5 lc %d dt %d pt %d title '%s'", i > 1 ? ', ' : '', i, c, i, i, i, dt_s * i / (n + 1.0), c, (i % 13) + 1, i, i, i, (i % 13) + 1, word(hosts, i))
    }
    if (c == 3) { set ylabel 'VMs' }
    eval 'plot '.p
}
unset multiplot
