# needs: policy_metrics
# when: SELECT count(*) > 1 FROM policy_metrics -- needs more than one run to compare
# The policies of a sweep side by side, one bar per run (the x labels say
# its policy; runs.csv says the rest): migrations, SLAV = SLATAH x PDM
# [BeloglazovBuyya12], and energy.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
f = './policy_metrics.csv'
if (svg) {
    set terminal svg size 900,900 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,900
}
set output outfile
set multiplot layout 3,1 title 'Policies compared (one bar per run)'
set style fill solid 0.7 border -1
set boxwidth 0.6
set grid ytics
set key off
set xtics rotate by -30 nomirror
set offsets 0.5, 0.5, 0, 0
set yrange [0:*]
set ylabel 'migrations'
plot f using 0:(column('migrations')):xtic(sprintf('%d %s', column('run_id'), strcol('policy'))) with boxes lc rgb '#4477aa'
set ylabel 'SLAV (SLATAH x PDM)'
set format y '%.1e'
plot f using 0:(column('slav')):xtic(sprintf('%d %s', column('run_id'), strcol('policy'))) with boxes lc rgb '#cc6677'
set format y '%g'
set ylabel 'energy (kWh)'
plot f using 0:(column('energy_kwh')):xtic(sprintf('%d %s', column('run_id'), strcol('policy'))) with boxes lc rgb '#117733'
unset multiplot
