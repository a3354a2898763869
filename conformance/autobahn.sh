#!/usr/bin/env bash
# The Autobahn WebSocket test cases against the demo's /ws/echo, in one
# command:
#
#     conformance/autobahn.sh [kosoku options, e.g. -i '9.*']
#
# The original autobahntestsuite is Python 2 and does not run here;
# kosoku (PyPI) runs the same case files under Python 3. It is installed
# into target/kosoku-venv on first use. Reports (HTML and one JSON per
# case) go to target/autobahn/; the summary is printed, and the exit status
# is 1 when any case FAILED.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

venv=target/kosoku-venv
if [ ! -x "$venv/bin/kosoku" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q kosoku
fi
cargo build --release --example demo >&2

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
logs="$(mktemp -d)"
target/release/examples/demo --addr "127.0.0.1:$port" --log-dir "$logs" --access-log off \
    --log-level warn >/dev/null 2>"$logs/console" &
demo=$!
trap 'kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()" 2>/dev/null && break
    sleep 0.1
done

rm -rf target/autobahn
"$venv/bin/kosoku" "ws://127.0.0.1:$port/ws/echo" -o target/autobahn "$@" >target/autobahn.log 2>&1 || true

python3 - <<'PY'
import collections, json, sys
index = json.load(open("target/autobahn/index.json"))
cases = next(iter(index.values()))
def key(case):
    return [int(p) for p in case.split(".")]
by = collections.Counter(c["behavior"] for c in cases.values())
print(f"Autobahn (kosoku) against /ws/echo: {len(cases)} cases")
for behavior in ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"):
    print(f"  {behavior:14} {by.get(behavior, 0)}")
other = {b: n for b, n in by.items() if b not in ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")}
for b, n in other.items():
    print(f"  {b:14} {n}")
for behavior in ("NON-STRICT", "FAILED"):
    ids = sorted((c for c, r in cases.items() if r["behavior"] == behavior), key=key)
    if ids:
        print(f"{behavior}: {' '.join(ids)}")
unimpl = sorted({c.split('.')[0] for c, r in cases.items() if r["behavior"] == "UNIMPLEMENTED"}, key=int)
if unimpl:
    print(f"UNIMPLEMENTED sections: {' '.join(unimpl)} (permessage-deflate is not offered)")
sys.exit(1 if by.get("FAILED") or other else 0)
PY
