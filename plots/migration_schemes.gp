# needs: migrations
# when: SELECT count(DISTINCT scheme) > 1 FROM migrations -- needs migrations by more than one scheme
# The migration schemes side by side against the VM's memory size: downtime
# (left, log scale) and total migration time (right), one curve per scheme.
# Post-copy's downtime stays flat (only the state is sent paused) while
# stop-and-copy's grows with memory; pre-copy sits between (Clark §3,
# Hines & Gopalan 2009). One point per run of the sweep.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude (text_bytes: a size as the user wrote it).
set datafile separator comma
set datafile columnheaders
f = './migrations.csv'
if (svg) {
    set terminal svg size 1200,500 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1200,500
}
set output outfile
# The schemes the runs used, in this order: a key entry only for a curve
# that has points.
all = 'stop-and-copy push precopy hybrid postcopy'
schemes = ''
do for [k=1:words(all)] {
    stats f using (strcol('scheme') eq word(all, k) ? 1 : 0) nooutput
    if (STATS_sum > 0) { schemes = schemes.(strlen(schemes) ? ' ' : '').word(all, k) }
}
n = words(schemes)
# The distinct memory sizes, in increasing order, each a tic labelled as
# the user wrote it (labels hold no quotes: sim_plots_prelude).
stats f using (column('vm_memory_bytes')) nooutput
top = STATS_max
lo = STATS_min
tics = ''
prev = -1
while (prev < top) {
    stats f using (column('vm_memory_bytes') > prev ? column('vm_memory_bytes') : NaN) nooutput
    prev = STATS_min
    tics = tics.sprintf("%s'%s' %.17g", strlen(tics) ? ', ' : '', text_bytes(prev), prev / 1048576.0)
}
eval 'set xtics ('.tics.')'
set multiplot layout 1,2 title 'Migration schemes against memory size'
set xlabel 'VM memory'
# Room around the data on both axes, so that no marker sits on a border.
if (top > lo) { set logscale x 2; set offsets graph 0.04, graph 0.04, graph 0.05, graph 0.05 } else { set offsets 1, 1, graph 0.05, graph 0.05 }
set grid
set key top left
# Coinciding curves stay visible: own marker and dash per scheme, and a
# small sideways shift (a factor on the log axis).
sx(i) = top > lo ? 2 ** ((i - (n + 1) / 2.0) * 0.04) : 1 + (i - (n + 1) / 2.0) * 0.02
set logscale y
set format y '%g'
set mytics 10
set ylabel 'downtime (s)'
plot for [i=1:n] f using (strcol('scheme') eq word(schemes, i) ? column('vm_memory_bytes') / 1048576.0 * sx(i) : NaN):(column('downtime_s')) smooth unique with linespoints lw 1.5 pt (i % 13) + 1 ps 1.2 dt i title word(schemes, i)
unset logscale y
set format y '% h'
set yrange [0:*]
if (top > lo) { set offsets graph 0.04, graph 0.04, graph 0.05, 0 } else { set offsets 1, 1, graph 0.05, 0 }
set ylabel 'total migration time (s)'
plot for [i=1:n] f using (strcol('scheme') eq word(schemes, i) ? column('vm_memory_bytes') / 1048576.0 * sx(i) : NaN):(column('total_s')) smooth unique with linespoints lw 1.5 pt (i % 13) + 1 ps 1.2 dt i title word(schemes, i)
unset multiplot
