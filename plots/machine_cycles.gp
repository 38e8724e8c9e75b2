# needs: machine_runs
# when: SELECT (SELECT count(DISTINCT point) FROM runs) = 1 AND (SELECT count(*) FROM machine_runs) BETWEEN 1 AND 64 * (SELECT count(*) FROM runs) AND (SELECT count(DISTINCT c) FROM (SELECT count(*) AS c FROM machine_runs GROUP BY run_id)) = 1 -- needs one point of at most 64 workload-mode rows (bars the mean of its replications)
# Where virtualization's cycles go, for any machine: experiment: per
# workload and mode, the slowdown against native (cycles over native's on
# the same stream, so native is 1), split by the share of the mode's
# cycles spent in guest user work, guest kernel work, the VMM (traps,
# exits, hypercalls, emulation, translation) and TLB refills. With
# machine.sampling the bars are estimates and the black bars the
# interval of the mode's own CPI (cpi_half, native's own error apart).
# With replications of the one point, each bar is their mean and each
# replication a dot (no interval).
# Black discs: the published slowdown of a catalog workload and mode
# that has one and no plot of its own (docs/references.md): [Bugnion97]
# raytrace, pmake and database under Disco (te), [AdamsAgesen06]
# forkwait under BT (bt) and VT-x with shadow tables (hw). Figure 3,
# lmbench and the nanobenchmarks have theirs (machine_fig3,
# machine_lmbench, machine_adams).
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
f = './machine_runs.csv'
# Replications of the one point repeat the same rows in the same order:
# row k of a run is column(0) mod n, and smooth unique averages the
# replications of each (each replication a dot).
stats './runs.csv' using 1 nooutput
reps = STATS_records
stats f using (column('cycles')) nooutput
n = STATS_records / reps
k = "(int(column(0)) % n)"
stats f using (column('sampled')) nooutput
sampled = STATS_max > 0
w = 420 + 34 * n
if (svg) {
    set terminal svg size w,560 dynamic background rgb 'white' noenhanced
} else {
    set terminal pngcairo size w,560 noenhanced
}
set output outfile
# A part's cycles over native's: its share of the mode's cycles times
# the slowdown.
part(c) = column('cycles') > 0 ? column(c) / column('cycles') * column('slowdown') : 0
set title 'Slowdown against native, by where the cycles go'
set ylabel 'cycles / native cycles (same stream)'
set yrange [0:*]
set xrange [-0.7:n - 0.3]
set xtics rotate by -40 left nomirror
set grid ytics
set key outside right top vertical
set style fill solid 0.85 border -1
set boxwidth 0.7
set bmargin 9
label = "strcol('workload') . ' ' . strcol('mode')"
# The published slowdown of workload w under mode m, or NaN.
published(w, m) = (w eq 'disco-raytrace' && m eq 'te') ? 1.03 : \
                  (w eq 'disco-pmake' && m eq 'te') ? 1.16 : \
                  (w eq 'disco-database' && m eq 'te') ? 1.16 : \
                  (w eq 'forkwait' && m eq 'bt') ? 36.9 / 6.0 : \
                  (w eq 'forkwait' && m eq 'hw') ? 106.4 / 6.0 : NaN
pub = "published(strcol('workload'), strcol('mode'))"
# How many rows have one (NaN compares unequal to itself).
stats f using (@pub == @pub ? 1 : 0) nooutput
npub = STATS_sum
# Half the interval of a sampled row, scaled as its bar; NaN otherwise.
half(x) = column('sampled') > 0 && column('cpi') > 0 ? column('cpi_half') / column('cpi') * column('slowdown') : NaN
plot f using (@k):(part('cycles_user') + part('cycles_kernel') + part('cycles_vmm') + part('cycles_tlb')) smooth unique with boxes lc rgb '#9467bd' title 'TLB refills', \
     f using (@k):(part('cycles_user') + part('cycles_kernel') + part('cycles_vmm')) smooth unique with boxes lc rgb '#d62728' title 'VMM', \
     f using (@k):(part('cycles_user') + part('cycles_kernel')) smooth unique with boxes lc rgb '#1f77b4' title 'guest kernel', \
     f using (@k):(part('cycles_user')) smooth unique with boxes lc rgb '#7f7f7f' title 'guest user', \
     f using (column(0) < n ? column(0) : -100):(0):xtic(column(0) < n ? @label : '') with points ps 0 notitle, \
     f using (reps > 1 ? @k : NaN):(column('slowdown')) with points pt 6 ps 0.6 lc rgb '#333333' title (reps > 1 ? 'replications' : ''), \
     f using (sampled && reps == 1 ? column(0) : NaN):(column('slowdown') - half(0)):(0):(2 * half(0)) with vectors heads size 0.1,90 lc rgb 'black' lw 1 title (sampled && reps == 1 ? 'sampled: interval' : ''), \
     f using (column(0) < n ? column(0) : NaN):(@pub) with points pt 7 ps 1.2 lc rgb 'black' title (npub > 0 ? 'published' : '')
