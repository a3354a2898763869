#!/bin/sh
# Lines/s to a rotating file (10 MiB, 50 backups, ~105-byte lines) for
# mionex, log4rs, flexi_logger (BufferAndFlush) and spdlog-rs, 1 and 4
# threads, interleaved (the order rotates each round), every line checked
# present exactly once. Usage: ./run.sh [lines] [rounds] > results.csv
# then: python3 table.py results.csv
set -eu
cd "$(dirname "$0")"
LINES=${1:-2000000}
ROUNDS=${2:-3}
OUT=${TMPDIR:-/tmp}/mionex-logger-bench.$$
cargo build --release --quiet
BIN=target/release/lb
echo "logger,threads,lines,seconds,lines_per_sec,files,max_file_bytes,missing,dups,fragments"
ORDER="mionex log4rs flexi spdlog"
for round in $(seq 1 "$ROUNDS"); do
    for threads in 1 4; do
        for logger in $ORDER; do
            "$BIN" "$logger" "$threads" "$LINES" "$OUT/$logger"
            rm -rf "$OUT/$logger"
        done
    done
    # rotate the order so no logger always runs first
    ORDER="$(echo "$ORDER" | awk '{ for (i = 2; i <= NF; i++) printf "%s ", $i; print $1 }')"
done
rm -rf "$OUT"
