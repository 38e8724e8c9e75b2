# needs: dirty_rate
# The page dirtying rate of a trace over time, the curve under Clark et al.'s
# downtime figures (vdcsim wws).
# Run by vdcsim in the folder of the CSVs (open them as './NAME.csv'),
# with: outfile (always 'set output outfile'), svg (0 or 1).
set datafile separator comma
set datafile columnheaders
if (svg) {
    set terminal svg size 900,400 dynamic background rgb 'white'
} else {
    set terminal pngcairo size 900,400
}
set output outfile
set title 'Page dirtying rate'
set xlabel 'time (s)'
set ylabel 'dirtying rate (Mibit/s)'
set grid
set yrange [0:*]
plot './dirty_rate.csv' using (column('time_s')):(column('rate_mibit_s')) with steps notitle
