# needs: dirty_rate_hist
# Histogram of a trace's per-sample page dirtying rate (vdcsim wws).
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
set title 'Distribution of the page dirtying rate'
set xlabel 'dirtying rate (Mibit/s)'
set ylabel 'samples'
set grid ytics
set style fill solid 0.6 border -1
set yrange [0:*]
plot './dirty_rate_hist.csv' using ((column('from_mibit_s') + column('to_mibit_s')) / 2):(column('samples')):(column('to_mibit_s') - column('from_mibit_s')) with boxes notitle
