# needs: migration_rounds, migrations
# when: SELECT (SELECT count(*) FROM runs) = 1 AND (SELECT count(*) FROM migrations) BETWEEN 1 AND 20 -- needs one run with 1 to 20 migrations
# The migrations of a run on a time line: one row per migration, each
# round a bar from its start to its end (live rounds blue, the paused
# rounds of stop-and-copy red), the downtime (stop to resume) marked below
# the bars with its length. Pre-copy rounds shrink as the dirtied set does
# (Clark et al. 2005, figure 2's phases).
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude.
set datafile separator comma
set datafile columnheaders
r = './migration_rounds.csv'
m = './migrations.csv'
stats m using (column('migration')) nooutput
nm = int(STATS_max) + 1
h = 190 + 60 * nm
if (svg) {
    set terminal svg size 1000,h dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1000,h
}
set output outfile
# Row labels: each migration's VM and scheme (names hold no quotes: the
# config allows letters, digits, '-' and '_').
tics = ''
do for [i=0:nm-1] {
    stats m using (column('migration') == i ? (lbl = strcol('vm').' ('.strcol('scheme').')', 0) : NaN) nooutput
    tics = tics.sprintf("%s'%s' %d", strlen(tics) ? ', ' : '', lbl, i)
}
eval 'set ytics ('.tics.')'
set yrange [-0.7:nm - 0.3]
set xlabel 'time (s)'
set title 'Migration time line: rounds and downtime'
set grid xtics
set key outside bottom center horizontal
set bmargin 5
# Room on the right for the last downtime's label.
set offsets 0, graph 0.14, 0, 0
set style fill solid 0.6 border -1
s(c) = column(c) / 1e9
plot r using (column('paused') > 0 ? NaN : s('start_ns') + s('duration_ns') / 2):(column('migration')):(s('duration_ns') / 2):(0.25) with boxxyerror lc rgb '#4a90d9' title 'live round', \
     r using (column('paused') > 0 ? s('start_ns') + s('duration_ns') / 2 : NaN):(column('migration')):(s('duration_ns') / 2):(0.25) with boxxyerror lc rgb '#d62728' title 'paused round', \
     m using ((s('stop_ns') + s('resume_ns')) / 2):(column('migration') - 0.38):((s('resume_ns') - s('stop_ns')) / 2):(0.04) with boxxyerror fs solid 1.0 noborder lc rgb 'black' title 'downtime', \
     m using (s('resume_ns')):(column('migration') - 0.38):(sprintf(' downtime %s', fmt_ns(column('downtime_ns')))) with labels left font ',9' notitle
