#!/usr/bin/env bash
# The WebSocket benchmark of mionex against tokio + tokio-tungstenite, in
# one command:
#
#     benches/ws.sh
#
# Builds the mionex demo and benches/peers' peer-tokio-ws and wsload (nice
# 10, without the lock), then takes /tmp/bench.lock (this 2-core machine is
# shared: two benchmarks must never run at once) and runs
# benches/peers/ws_bench.py: fresh servers pinned to CPU 0, wsload pinned to
# CPU 1, interleaved rounds, a markdown table of medians on stdout and in
# benches/results/ws-DATE.md. Method: ../shared/research/ws-anchors.md and
# ../shared/design/BENCHMARKING.md. Knobs (defaults in brackets):
#
#   SERVERS     mionex tokio-tt tokio-tt-rb4k        [all three]
#   SCENARIOS   echo64 idle10k                       [both]
#   ROUNDS      interleaved rounds                   [3]
#   WARMUP      seconds of warm-up per echo run      [1]
#   DURATION    seconds measured per echo run        [8]
#   ECHO_CONNS  connections in the echo test         [64]
#   ECHO_SIZE   bytes per echo message               [32]
#   IDLE_N      sockets in the idle test             [10000]
#   QUIET_WAIT  seconds to wait, before each run, for other processes (and
#               hypervisor steal time) to
#   QUIET_PCT   use under QUIET_PCT % of a core   [30, 25]
#   MIONEX_DEMO another demo binary to measure as "mionex"
#   SKIP_BUILD  set to 1 to use the binaries as they are
#
# A quick smoke run: ROUNDS=1 WARMUP=1 DURATION=2 IDLE_N=1000 benches/ws.sh
#
# Run under `flock /tmp/bench.lock benches/ws.sh` it sees that an ancestor
# already holds the lock and does not take it again (that would deadlock).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
LOCK=/tmp/bench.lock

for tool in taskset flock python3 cargo; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool is missing (taskset, flock: util-linux; python3; cargo)" >&2
        exit 1
    fi
done

# 10,000 client sockets in wsload and as many in the server: both inherit
# this limit (the hard limit here is 20000).
hard="$(ulimit -Hn)"
if [ "$hard" = unlimited ] || [ "$hard" -ge 20000 ]; then ulimit -n 20000; else ulimit -n "$hard"; fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== building the mionex demo" >&2
    nice -n 10 cargo build --release --example demo >&2 \
        || echo "!! the mionex demo did not build: mionex will be skipped" >&2
    echo "== building peer-tokio-ws and wsload (benches/peers)" >&2
    (cd benches/peers && nice -n 10 cargo build --release --bin peer-tokio-ws --bin wsload >&2)
fi

# Does one of our ancestors (say `flock /tmp/bench.lock benches/ws.sh`)
# hold the lock already?
lock_held_by_ancestor() {
    [ -e "$LOCK" ] || return 1
    local ino holders p
    ino="$(stat -c %i "$LOCK")"
    holders="$(awk -v ino="$ino" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == ino) print $5 }' /proc/locks)"
    [ -n "$holders" ] || return 1
    p=$$
    while [ "$p" -gt 1 ]; do
        for h in $holders; do [ "$h" = "$p" ] && return 0; done
        p="$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f2)" || return 1
    done
    return 1
}

if lock_held_by_ancestor; then
    exec python3 benches/peers/ws_bench.py "$@"
fi
if ! flock -n "$LOCK" true; then
    echo "== waiting for $LOCK (another benchmark is running)" >&2
fi
exec flock "$LOCK" python3 benches/peers/ws_bench.py "$@"
