# needs: link_samples, links
# when: SELECT (SELECT count(*) FROM runs) = 1 AND (SELECT count(DISTINCT time_ns) FROM link_samples) > 1 AND (SELECT count(*) FROM links WHERE bits > 0) BETWEEN 1 AND 8 -- needs one run with link samples at several times, and 1 to 8 links that carried something
# Link utilisation over time: each link that carried something, its share
# of capacity used in each sampling interval (results.link_interval), drawn
# as a segment over the interval. An interval without a segment carried
# nothing. Each link has its own colour and marker; markers sit at a
# different place in the interval for each link, so links that carry the
# same flow (both hops of a path) stay visible.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude.
set datafile separator comma
set datafile columnheaders
f = './link_samples.csv'
l = './links.csv'
if (svg) {
    set terminal svg size 1000,500 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1000,500
}
set output outfile
# The links that carried something, by index, and their names.
busy = ''
stats l using (column('bits') > 0 ? (busy = busy.sprintf(' %d', column('link')), 0) : NaN) nooutput
n = words(busy)
set title 'Link utilisation over time'
set xlabel 'time (s)'
set ylabel 'utilisation (% of capacity)'
set yrange [0:105]
set grid
set key outside right
s(c) = column(c) / 1e9
on(i) = column('link') == word(busy, i) + 0
do for [i=1:n] {
    stats l using (column('link') == word(busy, i) + 0 ? (lbl = strcol('source').' > '.strcol('destination'), 0) : NaN) nooutput
    eval sprintf("title%d = '%s'", i, lbl)
}
plot for [i=1:n] f using (on(i) ? s('time_ns') - s('interval_ns') : NaN):(100 * column('utilisation')):(s('interval_ns')):(0) with vectors nohead lw 2 lc i notitle, \
     for [i=1:n] f using (on(i) ? s('time_ns') - s('interval_ns') * (1 - i / (n + 1.0)) : NaN):(100 * column('utilisation')) with points pt (i % 13) + 1 ps 1.2 lc i notitle, \
     for [i=1:n] NaN with linespoints lw 2 pt (i % 13) + 1 ps 1.2 lc i title value(sprintf('title%d', i))
