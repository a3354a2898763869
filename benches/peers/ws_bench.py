#!/usr/bin/env python3
"""Runner behind benches/ws.sh (which builds everything, raises the
file-descriptor limit and takes /tmp/bench.lock first; run that, not this).

The WebSocket benchmark of mionex against tokio + tokio-tungstenite, by the
method of ../../shared/research/ws-anchors.md: each run starts a fresh
server pinned to CPU 0 and points `wsload` (one thread, one mio loop, raw
frames) pinned to CPU 1 at it. wsload reads the server's utime+stime from
/proc/PID/stat at the start and end of its own measured window and divides
by the round trips it counted; for the idle test it reads VmRSS before the
first handshake and 1 s after the last echo. Servers are interleaved
(A B C A B C ...) round by round; the table shows medians of the rounds.
"""

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import signal
from datetime import datetime

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PEERS = os.path.join(ROOT, "benches", "peers", "target", "release")
RESULTS = os.path.join(ROOT, "benches", "results")
DEMO = os.environ.get("MIONEX_DEMO", os.path.join(ROOT, "target", "release", "examples", "demo"))
WSLOAD = os.path.join(PEERS, "wsload")
TOKIO_WS = os.path.join(PEERS, "peer-tokio-ws")
MIONEX_LOGS = "/tmp/mionex-ws-bench-logs"
CLK_TCK = int(subprocess.check_output(["getconf", "CLK_TCK"]).strip())


def env_int(name, default):
    return int(os.environ.get(name, default))


ROUNDS = env_int("ROUNDS", 3)
WARMUP = env_int("WARMUP", 1)
DURATION = env_int("DURATION", 8)
ECHO_CONNS = env_int("ECHO_CONNS", 64)
ECHO_SIZE = env_int("ECHO_SIZE", 32)
IDLE_N = env_int("IDLE_N", 10000)
QUIET_WAIT = env_int("QUIET_WAIT", 30)
QUIET_PCT = env_int("QUIET_PCT", 25)


def peer_versions():
    versions = {}
    try:
        text = open(os.path.join(ROOT, "benches", "peers", "Cargo.lock")).read()
        for name, ver in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text):
            versions[name] = ver
    except OSError:
        pass
    return versions


V = peer_versions()
TT = f"tokio-tungstenite {V.get('tokio-tungstenite', '0.30')}"

# name -> (label, argv builder, extra environment)
SERVERS = {
    "mionex": ("mionex demo (1 worker)", lambda port: [
        DEMO, "--addr", f"127.0.0.1:{port}", "--workers", "1", "--access-log", "off",
        "--log-level", "warn", "--monitor", "off", "--log-dir", MIONEX_LOGS], {}),
    "tokio-tt": (f"tokio + {TT}, default read buffer",
                 lambda port: [TOKIO_WS, str(port)], {}),
    "tokio-tt-rb4k": (f"tokio + {TT}, 4 KiB read buffer",
                      lambda port: [TOKIO_WS, str(port)], {"WS_READ_BUF": "4096"}),
}

SCENARIOS = {
    "echo64": f"echo, {ECHO_CONNS} connections, {ECHO_SIZE}-byte text, closed loop",
    "idle10k": f"{IDLE_N:,} idle sockets, one echo each",
}

# What ws-anchors.md measured (medians), shown beside ours as a sanity check.
ANCHORS = {"tokio-tt": {"cpu_us": 8.48, "kib": 130.5},
           "tokio-tt-rb4k": {"cpu_us": 5.95, "kib": 6.51}}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, n=3):
    try:
        return " | ".join(open(path, errors="replace").read().strip().splitlines()[-n:])
    except OSError:
        return ""


class Server:
    def __init__(self, name, logdir, tag):
        self.name = name
        self.port = free_port()
        self.logpath = os.path.join(logdir, f"{tag}-{name}.log")
        label, argv, extra = SERVERS[name]
        env = dict(os.environ)
        env.pop("WS_READ_BUF", None)
        env.update(extra)
        # taskset execs the server, so Popen's pid is the server's pid.
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0"] + argv(self.port), env=env,
            stdout=open(self.logpath, "ab"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid

    def wait_ready(self, timeout=20.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: "
                                   + tail(self.logpath))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not accept on port {self.port} within {timeout}s")

    def ticks(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def machine_busy():
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    return int(fields[0]) + int(fields[1]) + int(fields[2])


def cpu_lines():
    """{"cpu0": [user, nice, system, idle, iowait, irq, softirq, steal], ...}"""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3:4].isdigit():
                parts = line.split()
                out[parts[0]] = [int(x) for x in parts[1:9]]
    return out


def steal_pct(c0, c1, seconds):
    """Steal time (the hypervisor ran something else on our vCPU) per CPU,
    in % of that CPU over the interval: a noise gauge no process shows."""
    return {cpu: (c1[cpu][7] - c0[cpu][7]) / CLK_TCK / seconds * 100 for cpu in c0 if cpu in c1}


def others_ticks(exclude):
    """CPU ticks of every user-space process but ours (`exclude` and this
    runner), children they reaped included: others' share of the machine."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) in exclude:
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[6]) & 0x00200000:  # PF_KTHREAD: softirq work is our traffic
            continue
        total += sum(int(x) for x in fields[11:15])
    return total


def wait_quiet():
    """Called while none of our processes runs: all busy CPU is others'.
    Hypervisor steal time counts as busy too: it comes in bursts here, and
    a run during one measures the host, not the server."""
    deadline = time.time() + QUIET_WAIT
    warned = False
    while True:
        b0, c0 = machine_busy(), cpu_lines()
        time.sleep(0.5)
        b1, c1 = machine_busy(), cpu_lines()
        steal = sum(c1[c][7] - c0[c][7] for c in c0 if c in c1)
        pct = (b1 - b0 + steal) / CLK_TCK / 0.5 * 100
        if pct < QUIET_PCT or time.time() >= deadline:
            return
        if not warned:
            log(f"   (others and steal use {pct:.0f}% of a core: waiting up to {QUIET_WAIT}s "
                "for quiet)")
            warned = True


def parse_kv(line):
    out = {}
    for tok in line.split()[1:]:
        k, _, v = tok.partition("=")
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = None
        if out[k] is not None and out[k] != out[k]:  # nan: not measured
            out[k] = None
    return out


def count_warnings(path):
    try:
        return sum(1 for line in open(path, errors="replace") if " WARN " in line or " ERROR " in line)
    except OSError:
        return 0


def run_one(name, scenario, logdir, tag):
    wait_quiet()
    srv = Server(name, logdir, tag)
    notes = []
    try:
        srv.wait_ready()
        time.sleep(0.2)
        if scenario == "echo64":
            args = ["echo", "--conns", str(ECHO_CONNS), "--size", str(ECHO_SIZE),
                    "--duration", str(DURATION), "--warmup", str(WARMUP)]
            timeout = WARMUP + DURATION + 120
        else:
            args = ["idle", "--n", str(IDLE_N), "--settle", "1"]
            timeout = 600
        cmd = ["taskset", "-c", "1", WSLOAD] + args + ["--port", str(srv.port),
                                                       "--pid", str(srv.pid)]
        mine = {os.getpid(), srv.pid}
        o0, c0 = others_ticks(mine), cpu_lines()
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        t1 = time.time()
        o1, c1 = others_ticks(mine), cpu_lines()
        alive = srv.proc.poll() is None
    finally:
        rc = srv.stop()
    other = (o1 - o0) / CLK_TCK / (t1 - t0) * 100
    steal = steal_pct(c0, c1, t1 - t0)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith(("echo ", "idle "))), "")
    r = parse_kv(line) if line else {}
    r["other_pct"] = max(other, 0.0)
    r["steal_pct"] = max(steal.values()) if steal else 0.0
    if p.returncode != 0 or not line:
        notes.append(f"wsload exit {p.returncode}: {(p.stderr.strip() or p.stdout.strip())[:300]}")
    elif p.stderr.strip():
        notes.append("wsload: " + " | ".join(p.stderr.strip().splitlines()[:3])[:300])
    if r.get("errors"):
        notes.append(f"{int(r['errors'])} connection errors")
    if r.get("failed"):
        notes.append(f"{int(r['failed'])} of {IDLE_N} connections failed")
    if r.get("closed_by_server"):
        notes.append(f"{int(r['closed_by_server'])} idle sockets closed by the server")
    if not alive:
        notes.append(f"the server died during the run (status {srv.proc.returncode}): "
                     + tail(srv.logpath))
    elif rc not in (0, -signal.SIGTERM, 143):
        notes.append(f"the server exited with status {rc} on SIGTERM")
    w = count_warnings(srv.logpath)
    if w:
        notes.append(f"the server logged {w} WARN/ERROR lines (first: "
                     + next((ln.strip() for ln in open(srv.logpath, errors="replace")
                             if " WARN " in ln or " ERROR " in ln), "")[:200] + ")")
    return r, notes


def fmt(v, spec, none="–"):
    return none if v is None else format(v, spec)


def git_rev():
    try:
        rev = subprocess.check_output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                      text=True).strip()
        dirty = subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "src",
                                "examples", "Cargo.toml"]).returncode != 0
        return rev + (" (src/ or examples/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine_line():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Linux {os.uname().release}"


def main():
    wanted = os.environ.get("SERVERS", " ".join(SERVERS)).split()
    scen = os.environ.get("SCENARIOS", " ".join(SCENARIOS)).split()
    for n in wanted + scen:
        if n not in SERVERS and n not in SCENARIOS:
            sys.exit(f"unknown server or scenario {n!r}; servers: {' '.join(SERVERS)}; "
                     f"scenarios: {' '.join(SCENARIOS)}")
    for binary in (WSLOAD, TOKIO_WS):
        if not os.access(binary, os.X_OK):
            sys.exit(f"{os.path.relpath(binary, ROOT)} is not built (run benches/ws.sh)")
    servers = []
    for name in wanted:
        binary = SERVERS[name][1](0)[0]
        if os.access(binary, os.X_OK):
            servers.append(name)
        else:
            log(f"!! skipping {name}: {os.path.relpath(binary, ROOT)} is not built")
    if not servers:
        sys.exit("no server to benchmark")
    os.makedirs(MIONEX_LOGS, exist_ok=True)
    logdir = tempfile.mkdtemp(prefix="mionex-ws-bench-")

    runs, notes = {}, []
    total, done = len(scen) * ROUNDS * len(servers), 0
    for sc in scen:
        for rnd in range(ROUNDS):
            for name in servers:  # interleaved: A B C ... A B C ...
                done += 1
                try:
                    r, ns = run_one(name, sc, logdir, f"{sc}-r{rnd + 1}")
                except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                    r, ns = {}, [f"run failed: {e}"]
                for n in ns:
                    notes.append(f"{name}, {sc} round {rnd + 1}: {n}")
                    log(f"!! {name} {sc} round {rnd + 1}: {n}")
                r["round"] = rnd + 1
                runs.setdefault((sc, name), []).append(r)
                if sc == "echo64":
                    log(f"[{done}/{total}] {sc} round {rnd + 1} {name:14} "
                        f"{fmt(r.get('rate'), ',.0f'):>9} rt/s  p50 {fmt(r.get('p50_us'), '.0f')} "
                        f"p99 {fmt(r.get('p99_us'), '.0f')} µs  server {fmt(r.get('server_cpu_us'), '.2f')} "
                        f"µs/rt ({fmt(r.get('server_cpu_pct'), '.0f')}%)  client "
                        f"{fmt(r.get('client_cpu_pct'), '.0f')}%  others {fmt(r.get('other_pct'), '.0f')}%  steal {fmt(r.get('steal_pct'), '.0f')}%")
                else:
                    log(f"[{done}/{total}] {sc} round {rnd + 1} {name:14} "
                        f"{fmt(r.get('ok'), '.0f')} open  {fmt(r.get('kib_per_socket'), '.2f')} KiB/socket  "
                        f"VmHWM {fmt(r.get('hwm_kib') and r['hwm_kib'] / 1024, '.1f')} MiB  "
                        f"{fmt(r.get('connect_per_s'), ',.0f')} conn/s  others {fmt(r.get('other_pct'), '.0f')}%  steal {fmt(r.get('steal_pct'), '.0f')}%")

    def vals(sc, name, key):
        return [r[key] for r in runs.get((sc, name), []) if r.get(key) is not None]

    def med(sc, name, key):
        v = vals(sc, name, key)
        return statistics.median(v) if v else None

    def spread(sc, name, key, spec):
        v = vals(sc, name, key)
        if not v:
            return "–"
        m = format(statistics.median(v), spec)
        return m if len(v) == 1 else f"{m} [{format(min(v), spec)}–{format(max(v), spec)}]"

    now = datetime.now()
    out = [f"# mionex WebSocket benchmark, {now:%Y-%m-%d %H:%M}\n"]
    out.append(f"Command: `benches/ws.sh` (ROUNDS={ROUNDS} WARMUP={WARMUP} DURATION={DURATION} "
               f"ECHO_CONNS={ECHO_CONNS} ECHO_SIZE={ECHO_SIZE} IDLE_N={IDLE_N}); "
               f"commit {git_rev()}.  ")
    out.append(f"Machine: {machine_line()}.  ")
    others = [r["other_pct"] for rs in runs.values() for r in rs if "other_pct" in r]
    steals = [r["steal_pct"] for rs in runs.values() for r in rs if "steal_pct" in r]
    if others:
        busy, st = statistics.median(others), statistics.median(steals)
        out.append(f"Other processes used a median {busy:.0f}% of a core (max {max(others):.0f}%) "
                   f"during the runs; hypervisor steal time was a median {st:.0f}% of the "
                   f"busier CPU (max {max(steals):.0f}%)"
                   + (": noisy, trust ratios within a round more than absolute figures.  "
                      if busy > 10 or st > 5 else ".  "))
    out.append("Server pinned to CPU 0, wsload (1 thread, mio, raw frames) to CPU 1; a fresh "
               f"server per run; {WARMUP} s warm-up, {DURATION} s window, medians of {ROUNDS} "
               "interleaved rounds ([min–max] where there are several). Server CPU µs/rt = the "
               "server's utime+stime over wsload's window ÷ round trips. KiB per idle socket = "
               f"(VmRSS after {IDLE_N:,} handshakes, one echo each and 1 s − VmRSS of the fresh "
               "server) ÷ sockets; peak RSS = VmHWM then.\n")
    out.append("| server | round trips/s | p50 µs | p99 µs | server CPU µs/rt | user µs/rt "
               "| server CPU % | client CPU % | KiB per idle socket | idle peak RSS MiB |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    e, i = "echo64", "idle10k"
    for name in servers:
        hwm = med(i, name, "hwm_kib")
        out.append(f"| {name}: {SERVERS[name][0]} | {fmt(med(e, name, 'rate'), ',.0f')} | "
                   f"{fmt(med(e, name, 'p50_us'), '.0f')} | {fmt(med(e, name, 'p99_us'), '.0f')} | "
                   f"{spread(e, name, 'server_cpu_us', '.2f')} | "
                   f"{fmt(med(e, name, 'server_user_us'), '.2f')} | "
                   f"{fmt(med(e, name, 'server_cpu_pct'), '.0f')} | "
                   f"{fmt(med(e, name, 'client_cpu_pct'), '.0f')} | "
                   f"{spread(i, name, 'kib_per_socket', '.2f')} | "
                   f"{fmt(hwm and hwm / 1024, '.1f')} |")
    out.append("")

    if "mionex" in servers:
        out.append("## mionex ÷ each peer\n")
        out.append("Below 1 is better for mionex, except round trips/s (above 1 is better).\n")
        out.append("| peer | round trips/s | p50 | p99 | server CPU µs/rt | KiB per idle socket "
                   "| idle peak RSS |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for name in servers:
            if name == "mionex":
                continue
            cells = []
            for sc, key in ((e, "rate"), (e, "p50_us"), (e, "p99_us"), (e, "server_cpu_us"),
                            (i, "kib_per_socket"), (i, "hwm_kib")):
                a, b = med(sc, "mionex", key), med(sc, name, key)
                cells.append(f"{a / b:.2f}×" if a is not None and b else "–")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")

    out.append("## Against ws-anchors.md\n")
    out.append("| server | CPU µs/rt here | anchors | KiB per idle socket here | anchors |")
    out.append("|---|---:|---:|---:|---:|")
    for name in servers:
        a = ANCHORS.get(name, {})
        out.append(f"| {name} | {fmt(med(e, name, 'server_cpu_us'), '.2f')} | "
                   f"{fmt(a.get('cpu_us'), '.2f')} | {fmt(med(i, name, 'kib_per_socket'), '.2f')} | "
                   f"{fmt(a.get('kib'), '.2f')} |")
    out.append("")
    if notes:
        out.append("## Notes\n")
        out.extend(f"- {n}" for n in notes)
        out.append("")
    table = "\n".join(out)
    print(table)

    raw = ["## Every run\n",
           "| scenario | server | round | rt/s | p50 µs | p99 µs | CPU µs/rt | server % | client % "
           "| idle open | KiB/socket | VmHWM MiB | conn/s | others' CPU % | steal % |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for sc in scen:
        for name in servers:
            for r in runs.get((sc, name), []):
                hwm = r.get("hwm_kib")
                raw.append(f"| {sc} | {name} | {r['round']} | {fmt(r.get('rate'), ',.0f')} | "
                           f"{fmt(r.get('p50_us'), '.0f')} | {fmt(r.get('p99_us'), '.0f')} | "
                           f"{fmt(r.get('server_cpu_us'), '.2f')} | "
                           f"{fmt(r.get('server_cpu_pct'), '.0f')} | "
                           f"{fmt(r.get('client_cpu_pct'), '.0f')} | {fmt(r.get('ok'), ',.0f')} | "
                           f"{fmt(r.get('kib_per_socket'), '.2f')} | "
                           f"{fmt(hwm and hwm / 1024, '.1f')} | "
                           f"{fmt(r.get('connect_per_s'), ',.0f')} | "
                           f"{fmt(r.get('other_pct'), '.0f')} | {fmt(r.get('steal_pct'), '.0f')} |")
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"ws-{now:%Y-%m-%d-%H%M}.md")
    with open(path, "w") as f:
        f.write(table + "\n" + "\n".join(raw) + "\n")
    log(f"written to {os.path.relpath(path, ROOT)}; server logs in {logdir}")


if __name__ == "__main__":
    main()
