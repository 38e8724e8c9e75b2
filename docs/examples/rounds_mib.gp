# The data each pre-copy round sent, in MiB: a config's own plot script
# (results.plot_scripts), shown in docs/tutorial.md. vdcsim sets the
# terminal and the output; the script reads './NAME.csv' of the run.
set datafile separator comma
set datafile columnheaders
set title 'Data sent per round'
set xlabel 'round'
set ylabel 'MiB'
set grid
plot './migration_rounds.csv' using (column('round')):(column('bytes') / 1048576.0) \
     with linespoints pointtype 7 title 'sent'
