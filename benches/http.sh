#!/usr/bin/env bash
# The HTTP benchmark of mionex against its peers, in one command:
#
#     benches/http.sh
#
# Builds the mionex demo and the peer servers (benches/peers, a separate
# cargo project), then runs wrk against each server, interleaved, and
# writes a markdown table of medians to stdout and benches/results/.
# Method: ../shared/design/BENCHMARKING.md. Everything is tunable by
# environment variables (defaults in brackets):
#
#   SERVERS     servers to run, in order     [mionex mionex-access mionex-app
#               mionex-chain tiny_http actix may_minihttp hyper bare]
#   SCENARIOS   plain64 plain512 pipe16 json64 idle   [all of them]
#   ROUNDS      interleaved rounds           [3]
#   WARMUP      seconds of warm-up per run   [1]
#   DURATION    seconds measured per run     [8]
#   IDLE_CONNS  connections in the idle test [10000]
#   QUIET_WAIT  seconds to wait, before each run, for other processes to
#               use under QUIET_PCT % of a core [30, 25]
#   MIONEX_DEMO another demo binary to measure as "mionex"
#   SKIP_BUILD  set to 1 to use the binaries as they are
#
# A quick smoke run: ROUNDS=1 WARMUP=1 DURATION=2 IDLE_CONNS=1000 benches/http.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# wrk is not installed silently: say how to get it.
if ! command -v wrk >/dev/null; then
    echo "wrk is missing: install it with  apt-get install -y wrk" >&2
    exit 1
fi
for tool in taskset strip python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is missing (taskset: util-linux; strip: binutils; python3)" >&2
        exit 1
    fi
done

# The idle test opens 10,000 client sockets and the server accepts as many:
# both processes inherit this limit (the hard limit here is 20000).
hard="$(ulimit -Hn)"
if [ "$hard" = unlimited ] || [ "$hard" -ge 20000 ]; then ulimit -n 20000; else ulimit -n "$hard"; fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    # The demo may not build while the server core is in progress: then
    # mionex is skipped (with a message) and the peers still run.
    if [ -f examples/demo.rs ] || [ -f examples/demo/main.rs ]; then
        echo "== building the mionex demo" >&2
        cargo build --release --example demo --example bench_chain >&2 || echo "!! the mionex demo did not build: mionex will be skipped" >&2
        # A hello-world example, if there is one, is only sized (not run).
        for ex in hello hello_world; do
            if [ -f "examples/$ex.rs" ]; then
                cargo build --release --example "$ex" >&2 || echo "!! examples/$ex.rs did not build" >&2
            fi
        done
    else
        echo "!! examples/demo.rs does not exist yet: mionex will be skipped" >&2
    fi
    echo "== building the peers (benches/peers)" >&2
    (cd benches/peers && cargo build --release >&2)
fi

exec python3 benches/peers/bench.py "$@"
