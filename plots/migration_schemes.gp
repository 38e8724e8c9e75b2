# needs: migrations
# when: SELECT count(DISTINCT scheme) > 1 FROM migrations -- needs migrations by more than one scheme
# The migration schemes side by side against the VM's memory size: downtime
# (left, log scale) and total migration time (right), one curve per scheme.
# Post-copy's downtime stays flat (only the state is sent paused) while
# stop-and-copy's grows with memory; pre-copy sits between (Clark §3,
# Hines & Gopalan 2009). One point per run of the sweep.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
f = './migrations.csv'
if (svg) {
    set terminal svg size 1200,500 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1200,500
}
set output outfile
schemes = 'stop-and-copy push precopy hybrid postcopy'
set multiplot layout 1,2 title 'Migration schemes against memory size'
set xlabel 'VM memory (MiB)'
set grid
set key top left
set style data linespoints
set logscale y
set ylabel 'downtime (s)'
plot for [s in schemes] f using (strcol('scheme') eq s ? column('vm_memory_bytes') / 1048576.0 : NaN):(column('downtime_s')) smooth unique with linespoints title s
unset logscale y
set ylabel 'total migration time (s)'
plot for [s in schemes] f using (strcol('scheme') eq s ? column('vm_memory_bytes') / 1048576.0 : NaN):(column('total_s')) smooth unique with linespoints title s
unset multiplot
