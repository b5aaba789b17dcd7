# SPDX-License-Identifier: MIT
# bench/plot.gp - the server comparison as one PNG: requests/s and p99
# over HTTP, and with data_tls a second row over HTTPS:
#   gnuplot -e "data='levels.dat'; data_tls='tls.dat'; out='results.png'; sub='...'" bench/plot.gp
# data, data_tls: one line per concurrency, as bench/server.sh writes them
# with DATA= and DATA_TLS=:
#   conc  d20d_rps pollen_rps nginx_rps  d20d_p99 pollen_p99 nginx_p99 (ms)
if (!exists("data")) data = 'levels.dat'
if (!exists("data_tls")) data_tls = ''
if (!exists("out")) out = 'results.png'
if (!exists("sub")) sub = ''
rows = (data_tls eq '') ? 1 : 2

set terminal pngcairo size 1200,(rows * 450 + 50) font 'sans,10'
set output out
set multiplot layout rows,2 title "d20d, pollen and nginx: POST / with a new connection per request (wrk, loopback)\n".sub
set logscale x 2
set xtics (1, 4, 16, 64, 256)
set xrange [0.8:320]
set xlabel 'concurrent connections'
set grid
set key bottom left opaque
set style line 1 lc rgb '#1b9e77' lw 2 pt 7 ps 1.2
set style line 2 lc rgb '#d95f02' lw 2 pt 5 ps 1.2
set style line 3 lc rgb '#7570b3' lw 2 pt 9 ps 1.2 dt 2

set title 'HTTP: requests/s (higher is better)'
set ylabel 'requests/s'
set yrange [0:*]
plot data using 1:2 with linespoints ls 1 title 'd20d', \
     ''   using 1:3 with linespoints ls 2 title 'pollen (Debian)', \
     ''   using 1:4 with linespoints ls 3 title 'nginx, fixed 260-byte body'

set title 'HTTP: p99 latency (lower is better)'
set ylabel 'ms'
set logscale y 10
set yrange [*:*]
set key bottom right opaque
plot data using 1:5 with linespoints ls 1 title 'd20d', \
     ''   using 1:6 with linespoints ls 2 title 'pollen (Debian)', \
     ''   using 1:7 with linespoints ls 3 title 'nginx, fixed 260-byte body'
if (rows == 2) {
unset logscale y
set key bottom left opaque
set title 'HTTPS, full handshake each: requests/s (higher is better)'
set ylabel 'requests/s'
set yrange [0:*]
plot data_tls using 1:2 with linespoints ls 1 title 'd20d', \
     ''   using 1:3 with linespoints ls 2 title 'pollen (Debian)', \
     ''   using 1:4 with linespoints ls 3 title 'nginx, fixed 260-byte body'

set title 'HTTPS, full handshake each: p99 latency (lower is better)'
set ylabel 'ms'
set logscale y 10
set yrange [*:*]
set key bottom right opaque
plot data_tls using 1:5 with linespoints ls 1 title 'd20d', \
     ''   using 1:6 with linespoints ls 2 title 'pollen (Debian)', \
     ''   using 1:7 with linespoints ls 3 title 'nginx, fixed 260-byte body'
}
unset multiplot
