# needs: hosts
# when: SELECT EXISTS (SELECT 1 FROM vms WHERE placed_by <> 'config') AND ((SELECT count(*) FROM runs) = 1 OR (SELECT count(DISTINCT p) FROM (SELECT group_concat(host || '=' || memory_committed_bytes, ',') AS p FROM (SELECT * FROM hosts ORDER BY run_id, host_index) GROUP BY run_id)) > 1) -- needs VMs placed by a policy, and placements that differ between runs
# Memory committed on each host at the end of each run, one curve per run:
# how the placement policy spread the VMs over the hosts.
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1), and the label
# functions of sim_plots_prelude (point_text: a point's swept values).
set datafile separator comma
set datafile columnheaders
if (svg) {
    set terminal svg size 900,600 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,600
}
set output outfile
f = './hosts.csv'
stats f using (column('run_id')) nooutput
nruns = int(STATS_max)
stats f using (column('host_index')) nooutput
nhosts = int(STATS_max) + 1
set title 'Memory committed per host at the end of each run'
# Each run is named by its point's swept values (and its replication).
stats './runs.csv' using (column('replication')) nooutput
nreps = int(STATS_max) + 1
point_of(r) = (r - 1) / nreps
name(r) = nreps > 1 ? sprintf('%s #%d', point_text(point_of(r)), (r - 1) % nreps) : point_text(point_of(r))
set xlabel 'host (rack-major index)'
set ylabel 'memory committed (% of the host''s memory)'
set yrange [0:105]
set xtics 1
set xrange [-0.6:nhosts - 0.4]
set grid ytics
set key outside right
w = 0.8 / nruns
set boxwidth w absolute
set style fill solid 0.7 border -1
plot for [r=1:nruns] f using (column('run_id') == r ? column('host_index') + (r - (nruns + 1) / 2.0) * w : NaN):(100.0 * column('memory_committed_bytes') / column('memory_bytes')) with boxes fs pattern (r % 8) title (nruns > 1 ? name(r) : 'the run')
