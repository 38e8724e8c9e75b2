# needs: vm_intervals
# when: SELECT (SELECT count(*) FROM runs) = 1 AND (SELECT count(DISTINCT vm) FROM vm_intervals) <= 8 AND (SELECT count(DISTINCT time_ns) FROM vm_intervals) > 1 -- needs one run with vm_intervals of at most 8 VMs
# Each VM's CPU over the control intervals (vm_intervals): its demand
# (lines) and what its host granted (markers), in cores; where the grant
# falls short of the demand the VM is starved, the case a policy moves it
# for. One colour, marker and dash per VM.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude.
set datafile separator comma
set datafile columnheaders
f = './vm_intervals.csv'
if (svg) {
    set terminal svg size 1000,500 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 1000,500
}
set output outfile
vms = ''
stats f using (strstrt(vms.' ', ' '.strcol('vm').' ') ? 0 : (vms = vms.' '.strcol('vm'), 0)) nooutput
n = words(vms)
stats f using (column('time_ns') / 1e9) nooutput
dt_s = STATS_max > STATS_min ? (STATS_max - STATS_min) / (STATS_records / n - 1) : 1
tmax = STATS_max
# A marker s seconds after its sample, or none past the last sample.
mx(x, s) = x + s <= tmax ? x + s : NaN
do for [i=1:n] {
    eval sprintf('set table $V%d', i)
    plot f using (column('time_ns') / 1e9):(column('cpu_demand')):(column('cpu_granted')) with table if (strcol('vm') eq word(vms, i))
    unset table
}
set datafile separator whitespace
set datafile nocolumnheaders
set title 'VM CPU per control interval: demand (lines) and granted (markers)'
set xlabel 'time (s)'
set ylabel 'CPU (cores)'
set yrange [0:*]
set offsets 0, 0, graph 0.05, 0
set grid
set key outside right
p = ''
do for [i=1:n] {
    p = p.sprintf("%s$V%d using 1:2 with lines lw 1.5 lc %d dt %d notitle, $V%d using (mx($1, %.17g)):3 with points pt %d lc %d notitle, NaN with linespoints lw 1.5 lc %d dt %d pt %d title '%s'", i > 1 ? ', ' : '', i, i, i, i, dt_s * i / (n + 1.0), (i % 13) + 1, i, i, i, (i % 13) + 1, word(vms, i))
}
eval 'plot '.p
