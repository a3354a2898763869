#!/usr/bin/env python3
"""Runner behind benches/http.sh (which builds everything and raises the
file-descriptor limit first; run that, not this).

Method (../../shared/design/BENCHMARKING.md): on this 2-core machine wrk's
one thread saturates its core before a good server does, so requests/s
alone cannot rank the good servers; server CPU time per request can. Each
run starts a fresh server pinned to CPU 0 (fresh, so its VmHWM is that
run's peak), waits until its port accepts, warms it up with wrk pinned to
CPU 1, reads the server's utime/stime ticks, runs the measured wrk window,
reads them again and divides by the requests wrk counted. Servers are
interleaved (A B C ... A B C ...) round by round so drift on this shared
machine hits all of them alike; the table shows medians of the rounds.
"""

import os
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PEERS = os.path.join(ROOT, "benches", "peers", "target", "release")
RESULTS = os.path.join(ROOT, "benches", "results")
PIPELINE_LUA = os.path.join(ROOT, "benches", "peers", "pipeline.lua")
# MIONEX_DEMO points at another demo binary (e.g. an older build to compare).
DEMO = os.environ.get("MIONEX_DEMO", os.path.join(ROOT, "target", "release", "examples", "demo"))
CHAIN = os.path.join(ROOT, "target", "release", "examples", "bench_chain")
MIONEX_LOGS = "/tmp/mionex-bench-logs"
CLK_TCK = int(subprocess.check_output(["getconf", "CLK_TCK"]).strip())


def env_int(name, default):
    return int(os.environ.get(name, default))


ROUNDS = env_int("ROUNDS", 3)
WARMUP = env_int("WARMUP", 1)
DURATION = env_int("DURATION", 8)
IDLE_CONNS = env_int("IDLE_CONNS", 10000)
IDLE_HOLD = env_int("IDLE_HOLD", 3)
# Before each run, wait up to QUIET_WAIT seconds for other processes (a
# build on this shared machine, say) to use less than QUIET_PCT % of a core.
QUIET_WAIT = env_int("QUIET_WAIT", 30)
QUIET_PCT = env_int("QUIET_PCT", 25)


def peer_versions():
    """Exact versions of the peer crates, read from benches/peers/Cargo.lock."""
    versions = {}
    try:
        text = open(os.path.join(ROOT, "benches", "peers", "Cargo.lock")).read()
        for name, ver in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text):
            versions[name] = ver
    except OSError:
        pass
    return versions


V = peer_versions()

# name -> (label, argv builder). Every server gets one worker thread.
SERVERS = {
    # The demo as issue 2 measures it: access log off, nothing logged per
    # request (its timing hooks log at debug; the level is warn).
    "mionex": ("mionex demo", lambda port: [
        DEMO, "--addr", f"127.0.0.1:{port}", "--workers", "1", "--access-log", "off",
        "--log-level", "warn", "--monitor", "off", "--log-dir", MIONEX_LOGS]),
    # mionex variants, compared with "mionex" or each other (never peers):
    # the demo with its access log on (two lines per request to app.log),
    "mionex-access": ("mionex demo, access log on", lambda port: [
        DEMO, "--addr", f"127.0.0.1:{port}", "--workers", "1", "--access-log", "on",
        "--log-level", "info", "--monitor", "off", "--log-dir", MIONEX_LOGS]),
    # a routed app with no middleware or hooks, and one with 5 and 2.
    "mionex-app": ("mionex app, no middleware", lambda port: [
        CHAIN, "--addr", f"127.0.0.1:{port}", "--middleware", "0", "--hooks", "0"]),
    "mionex-chain": ("mionex app, 5 middleware + 2 hooks", lambda port: [
        CHAIN, "--addr", f"127.0.0.1:{port}", "--middleware", "5", "--hooks", "2"]),
    "tiny_http": (f"tiny_http {V.get('tiny_http', '0.12')}",
                  lambda port: [os.path.join(PEERS, "peer-tiny-http"), str(port)]),
    "actix": (f"actix-web {V.get('actix-web', '4')} (1 worker)",
              lambda port: [os.path.join(PEERS, "peer-actix"), str(port)]),
    "may_minihttp": (f"may_minihttp {V.get('may_minihttp', '0.1')}",
                     lambda port: [os.path.join(PEERS, "peer-may"), str(port)]),
    "hyper": (f"hyper {V.get('hyper', '1')} (current-thread)",
              lambda port: [os.path.join(PEERS, "peer-hyper"), str(port)]),
    "bare": ("bare mio+httparse loop",
             lambda port: [os.path.join(PEERS, "peer-bare"), str(port)]),
}

# name -> (title, wrk connections, path, pipeline depth or None)
SCENARIOS = {
    "plain64": ("plaintext keep-alive, c=64", 64, "/plaintext", None),
    "plain512": ("plaintext keep-alive, c=512", 512, "/plaintext", None),
    "pipe16": ("plaintext pipelined depth 16, c=64", 64, "/plaintext", 16),
    "json64": ("/json keep-alive, c=64", 64, "/json", None),
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

def free_port():
    # A fresh port per run: no server is ever refused by a TIME_WAIT leftover.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, logdir):
        self.name = name
        self.port = free_port()
        self.logpath = os.path.join(logdir, f"{name}.log")
        argv = SERVERS[name][1](self.port)
        # taskset execs the server, so Popen's pid is the server's pid.
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0"] + argv,
            stdout=open(self.logpath, "ab"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid

    def wait_ready(self, timeout=20.0):
        """Waits until the port accepts a connection (not a blind sleep)."""
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

    def status(self, field):
        """A /proc/PID/status field in KiB (VmHWM, VmRSS)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def ticks(self):
        """(utime, stime) of the whole process, all threads, in clock ticks."""
        with open(f"/proc/{self.pid}/stat") as f:
            # The command name may contain spaces: fields start after ')'.
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]), int(fields[12])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def tail(path, n=5):
    try:
        return " | ".join(open(path, errors="replace").read().strip().splitlines()[-n:])
    except OSError:
        return ""


# ---------------------------------------------------------------------- wrk

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def run_wrk(port, scenario, seconds):
    _, conns, path, depth = SCENARIOS[scenario]
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency"]
    if depth:
        cmd += ["-s", PIPELINE_LUA]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    if depth:
        cmd += ["--", str(depth)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    r = {"raw": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    r["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M)
        r[f"p{pct}"] = to_ms(m.group(1)) if m else None
    errors = []
    m = re.search(r"Socket errors: (.*)", out)
    if m:
        errors.append("socket errors: " + m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors.append(f"{m.group(1)} non-2xx responses")
    r["errors"] = errors
    return r


def machine_busy():
    """Ticks all CPUs spent in user, nice and system mode since boot
    (interrupt time left out: loopback traffic is handled there)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    return int(fields[0]) + int(fields[1]) + int(fields[2])


def wait_quiet():
    """Called while none of our processes runs: all busy CPU is others'."""
    deadline = time.time() + QUIET_WAIT
    warned = False
    while True:
        b0 = machine_busy()
        time.sleep(0.5)
        pct = (machine_busy() - b0) / CLK_TCK / 0.5 * 100
        if pct < QUIET_PCT or time.time() >= deadline:
            return
        if not warned:
            log(f"   (others use {pct:.0f}% of a core: waiting up to {QUIET_WAIT}s for quiet)")
            warned = True


def measure(name, scenario, logdir):
    wait_quiet()
    srv = Server(name, logdir)
    try:
        srv.wait_ready()
        if WARMUP > 0:
            run_wrk(srv.port, scenario, WARMUP)
        u0, s0 = srv.ticks()
        busy0, kids0 = machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.time()
        w = run_wrk(srv.port, scenario, DURATION)
        t1 = time.time()
        busy1, kids1 = machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
        u1, s1 = srv.ticks()
        hwm = srv.status("VmHWM")
    finally:
        srv.stop()
    n = max(w["requests"], 1)
    us_per_tick = 1e6 / CLK_TCK
    # CPU that neither the server nor wrk used during the window (other
    # processes on this shared machine), in % of one core: a noise gauge.
    wrk_s = (kids1.ru_utime - kids0.ru_utime) + (kids1.ru_stime - kids0.ru_stime)
    server_s = ((u1 - u0) + (s1 - s0)) / CLK_TCK
    other = ((busy1 - busy0) / CLK_TCK - wrk_s - server_s) / (t1 - t0) * 100
    return {
        "other_pct": max(other, 0.0),
        "rps": w["rps"],
        "requests": w["requests"],
        # wrk prints 0 latency with pipelining: meaningless, left out.
        "p50": None if SCENARIOS[scenario][3] else w["p50"],
        "p99": None if SCENARIOS[scenario][3] else w["p99"],
        "rss_mib": hwm / 1024,
        "cpu_us": ((u1 - u0) + (s1 - s0)) * us_per_tick / n,
        "user_us": (u1 - u0) * us_per_tick / n,
        "errors": w["errors"],
    }


# ------------------------------------------------------------- idle memory

def idle_test(name, logdir):
    """RSS per idle keep-alive connection: VmRSS with IDLE_CONNS connections
    open (each has served one request) minus VmRSS before, divided."""
    client = os.path.join(PEERS, "idle")
    srv = Server(name, logdir)
    try:
        srv.wait_ready()
        time.sleep(0.2)
        before = srv.status("VmRSS")
        cli = subprocess.Popen(
            ["taskset", "-c", "1", client, str(srv.port), str(IDLE_CONNS), str(IDLE_HOLD + 2)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait for "ready N failed M", with a deadline in case the server stalls.
        ready, _, _ = select.select([cli.stdout], [], [], 180)
        line = cli.stdout.readline() if ready else ""
        m = re.match(r"ready (\d+) failed (\d+)", line)
        if not m:
            cli.kill()
            cli.wait()
            return {"error": "client did not finish: " + (line.strip() or "timeout")
                    + " " + cli.stderr.read().strip()[:200]}
        held, failed = int(m.group(1)), int(m.group(2))
        time.sleep(1.0)  # let the server settle after the last request
        after = srv.status("VmRSS")
        alive = srv.proc.poll() is None
        cli.wait(timeout=IDLE_HOLD + 30)
        errtext = cli.stderr.read().strip()
    finally:
        srv.stop()
    if not alive:
        return {"error": f"the server exited (status {srv.proc.returncode}) during the idle "
                         f"test; the client held {held} connections, {failed} failed: "
                         + (errtext.splitlines()[0] if errtext else "")}
    res = {"before_mib": before / 1024, "after_mib": after / 1024, "held": held,
           "failed": failed, "kib_per_conn": (after - before) / held if held else None}
    if failed:
        res["error"] = f"{failed} connections failed ({errtext.splitlines()[0] if errtext else ''})"
    return res


# ------------------------------------------------------- conformance checks

def raw_exchange(port, payload, wait=1.0):
    """Sends payload, reads until EOF or `wait` seconds of silence.
    Returns (bytes received, whether the server closed the connection)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(payload)
    data, closed = b"", False
    s.settimeout(wait)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return data, closed


def split_responses(data):
    """Splits a byte stream into (status line, headers dict, body) tuples,
    framing by Content-Length."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        lines = data[:end].decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0") or 0)
        out.append((lines[0], headers, data[end + 4:end + 4 + n]))
        data = data[end + 4 + n:]
    return out


def conformance(name, logdir):
    """What a benchmark table does not show: does the server answer what the
    demo answers, and does it honour Connection: close, HTTP/1.0 and
    pipelining? Findings go into the report's notes."""
    notes = []
    srv = Server(name, logdir)
    try:
        srv.wait_ready()
        port = srv.port
        for path, ctype, body in (("/plaintext", "text/plain", b"Hello, World!"),
                                  ("/json", "application/json",
                                   b'{"message":"Hello, World!"}')):
            data, _ = raw_exchange(port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 0.5)
            rs = split_responses(data)
            if not rs:
                notes.append(f"GET {path}: no response")
                continue
            status, h, b = rs[0]
            problems = [f"status {status!r}"] if " 200 " not in status + " " else []
            problems += [f"no {k}" for k in ("server", "date", "content-length") if k not in h]
            if h.get("content-type", "").split(";")[0].strip() != ctype:  # charset is fine
                problems.append(f"Content-Type {h.get('content-type')!r}")
            if b != body:
                problems.append(f"body {b[:40]!r}")
            if problems:
                notes.append(f"GET {path}: " + ", ".join(problems))
        req = b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n"
        data, _ = raw_exchange(port, req * 3, 0.5)
        if len(split_responses(data)) != 3:
            notes.append(f"3 pipelined requests in one write got "
                         f"{len(split_responses(data))} responses")
        _, closed = raw_exchange(port, b"GET /plaintext HTTP/1.1\r\nHost: x\r\n"
                                       b"Connection: close\r\n\r\n", 1.0)
        if not closed:
            notes.append("ignores `Connection: close` (kept the connection open)")
        data, closed = raw_exchange(port, b"GET /plaintext HTTP/1.0\r\n\r\n", 1.0)
        if not split_responses(data):
            notes.append("no answer to an HTTP/1.0 request")
        elif not closed:
            notes.append("keeps an HTTP/1.0 connection (no keep-alive asked) open")
    except (OSError, RuntimeError) as e:
        notes.append(f"check failed: {e}")
    finally:
        srv.stop()
    return notes


# ------------------------------------------------------------------ report

def fmt(v, spec, none="–"):
    return none if v is None else format(v, spec)


def stripped_kib(path):
    with tempfile.TemporaryDirectory() as d:
        copy = os.path.join(d, "bin")
        shutil.copy(path, copy)
        if subprocess.run(["strip", copy], capture_output=True).returncode != 0:
            return None  # not an ELF binary (a wrapper script, say)
        return os.path.getsize(copy) / 1024


def machine_line():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    wrkv = (wrk.stdout + wrk.stderr).strip().splitlines()[0] if (wrk.stdout + wrk.stderr) else "wrk"
    return f"{os.cpu_count()} cores, {cpu}, Linux {os.uname().release}; {wrkv.split(' [')[0]}"


def git_rev():
    try:
        rev = subprocess.check_output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                      text=True).strip()
        dirty = subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "src",
                                "examples", "Cargo.toml"]).returncode != 0
        return rev + (" (src/ or examples/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def summary(servers, wrk_scen, med, idle, sized):
    """mionex ÷ each peer in every scenario, then issue 2's targets, each
    marked met or missed (missed ones say by how much)."""
    out = ["## mionex ÷ each peer (CPU µs/req ratio; req/s ratio)\n"]
    out.append("| peer | " + " | ".join(SCENARIOS[sc][0] for sc in wrk_scen) + " |")
    out.append("|---|" + "---:|" * len(wrk_scen))
    for name in servers:
        if name.startswith("mionex"):
            continue
        cells = []
        for sc in wrk_scen:
            mc, pc = med(sc, "mionex", "cpu_us"), med(sc, name, "cpu_us")
            mr, pr = med(sc, "mionex", "rps"), med(sc, name, "rps")
            cells.append(f"{mc / pc:.2f}×; {mr / pr:.2f}×" if mc and pc and mr and pr else "–")
        out.append(f"| {SERVERS[name][0]} | " + " | ".join(cells) + " |")
    out.append("")

    variants = [  # (what it shows, measured, baseline, target ratio of req/s)
        ("5 middleware + 2 hooks vs none (issue 3: req/s ≥ 0.9×)", "mionex-chain", "mionex-app", 0.9),
        ("demo, access log on vs off (issue 4: req/s ≥ 0.8×)", "mionex-access", "mionex", 0.8),
        ("demo (3 hooks, logger) vs the bare routed app", "mionex", "mionex-app", None),
    ]
    variants = [v for v in variants if v[1] in servers and v[2] in servers]
    if variants:
        out.append("## mionex variants, side by side (req/s ratio; CPU µs/req ratio)\n")
        out.append("| comparison | " + " | ".join(SCENARIOS[sc][0] for sc in wrk_scen) + " |")
        out.append("|---|" + "---:|" * len(wrk_scen))
        for what, a, b, target in variants:
            cells = []
            for sc in wrk_scen:
                ar, br = med(sc, a, "rps"), med(sc, b, "rps")
                ac, bc = med(sc, a, "cpu_us"), med(sc, b, "cpu_us")
                if ar and br and ac and bc:
                    mark = "" if target is None else (" ✓" if ar / br >= target else " ✗")
                    cells.append(f"{ar / br:.2f}×{mark}; {ac / bc:.2f}×")
                else:
                    cells.append("–")
            out.append(f"| {what} | " + " | ".join(cells) + " |")
        out.append("")

    checks = []  # (target, measured, met)
    peers = [n for n in servers if not n.startswith("mionex")]
    for sc in wrk_scen:
        title = SCENARIOS[sc][0]
        mc, mr = med(sc, "mionex", "cpu_us"), med(sc, "mionex", "rps")
        if mc is None:
            continue
        pcs = {n: med(sc, n, "cpu_us") for n in peers if med(sc, n, "cpu_us")}
        if pcs:
            best = min(pcs, key=pcs.get)
            checks.append((f"{title}: CPU/req below every peer's",
                           f"{mc:.2f} µs vs best peer {SERVERS[best][0]} {pcs[best]:.2f} µs",
                           mc < pcs[best]))
        if "bare" in pcs:
            checks.append((f"{title}: CPU/req within 1.05× of the bare loop",
                           f"{mc / pcs['bare']:.2f}×", mc <= 1.05 * pcs["bare"]))
        user = med(sc, "mionex", "user_us")
        limit = 0.15 if SCENARIOS[sc][3] else 0.6
        if SCENARIOS[sc][2] == "/plaintext":
            checks.append((f"{title}: user µs/req ≤ {limit}", f"{user:.2f} µs", user <= limit))
        prs = {n: med(sc, n, "rps") for n in peers if med(sc, n, "rps")}
        if prs:
            best = max(prs, key=prs.get)
            checks.append((f"{title}: req/s ≥ 0.95× the best peer",
                           f"{mr / prs[best]:.2f}× {SERVERS[best][0]}", mr >= 0.95 * prs[best]))
    r = idle.get("mionex", {})
    if r.get("kib_per_conn") is not None:
        checks.append(("≤ 8 KiB RSS per idle connection", f"{r['kib_per_conn']:.1f} KiB",
                       r["kib_per_conn"] <= 8))
    for label, path in sized:
        if label.startswith("mionex examples/hello"):
            kib = stripped_kib(path)
            if kib is not None:
                checks.append((f"{label} < 600 KiB stripped", f"{kib:,.0f} KiB", kib < 600))
    out.append("## Issue 2's targets\n")
    out.append("| target | measured | |")
    out.append("|---|---|---|")
    for target, measured, met in checks:
        out.append(f"| {target} | {measured} | {'met' if met else '**missed**'} |")
    out.append("")
    return out


def main():
    wanted = os.environ.get("SERVERS", " ".join(SERVERS)).split()
    scen = os.environ.get("SCENARIOS", " ".join(list(SCENARIOS) + ["idle"])).split()
    for name in wanted + scen:
        if name not in SERVERS and name not in SCENARIOS and name != "idle":
            sys.exit(f"unknown server or scenario {name!r}; servers: {' '.join(SERVERS)}; "
                     f"scenarios: {' '.join(SCENARIOS)} idle")

    # Skip, with a message, every server whose binary is not built.
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
    logdir = tempfile.mkdtemp(prefix="mionex-http-bench-")

    notes = []
    for name in servers:
        for n in conformance(name, logdir):
            notes.append(f"{SERVERS[name][0]}: {n}")

    runs = {}  # (scenario, server) -> [result per round]
    wrk_scen = [s for s in scen if s in SCENARIOS]
    total = len(wrk_scen) * ROUNDS * len(servers)
    done = 0
    for sc in wrk_scen:
        for rnd in range(ROUNDS):
            for name in servers:  # interleaved: A B C ... A B C ...
                done += 1
                try:
                    r = measure(name, sc, logdir)
                except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                    log(f"!! {name} {sc} round {rnd + 1}: {e}")
                    notes.append(f"{SERVERS[name][0]}, {sc} round {rnd + 1}: {e}")
                    continue
                for err in r["errors"]:
                    notes.append(f"{SERVERS[name][0]}, {sc} round {rnd + 1}: {err}")
                runs.setdefault((sc, name), []).append(r)
                log(f"[{done}/{total}] {sc:8} round {rnd + 1} {name:13} "
                    f"{r['rps']:>11,.0f} req/s  cpu {r['cpu_us']:6.2f} us/req  "
                    f"user {r['user_us']:5.2f}  p99 {fmt(r['p99'], '.2f')} ms  "
                    f"rss {r['rss_mib']:.1f} MiB  others {r['other_pct']:.0f}% cpu")

    idle = {}
    if "idle" in scen:
        for name in servers:
            log(f"idle test: {name}, {IDLE_CONNS} connections")
            wait_quiet()
            try:
                idle[name] = idle_test(name, logdir)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                idle[name] = {"error": str(e)}
            if idle[name].get("error"):
                notes.append(f"{SERVERS[name][0]}, idle test: {idle[name]['error']}")

    # ------------------------------------------------------------ tables
    def med(sc, name, key):
        vals = [r[key] for r in runs.get((sc, name), []) if r[key] is not None]
        return statistics.median(vals) if vals else None

    out = []
    now = datetime.now()
    out.append(f"# mionex HTTP benchmark, {now:%Y-%m-%d %H:%M}\n")
    out.append(f"Command: `benches/http.sh` (ROUNDS={ROUNDS} WARMUP={WARMUP} DURATION={DURATION} "
               f"IDLE_CONNS={IDLE_CONNS}); commit {git_rev()}.  ")
    out.append(f"Machine: {machine_line()}.  ")
    others = [r["other_pct"] for rs in runs.values() for r in rs]
    if others:
        busy = statistics.median(others)
        out.append(f"Other processes used a median {busy:.0f}% of a core (max {max(others):.0f}%) "
                   "during the measured windows"
                   + (": the machine was busy, req/s and latency are noisy; CPU µs/req holds "
                      "up better.  " if busy > 10 else ".  "))
    out.append("Server pinned to CPU 0, wrk (1 thread) to CPU 1, one worker per server; "
               f"{WARMUP} s warm-up, {DURATION} s window, medians of {ROUNDS} interleaved "
               "rounds. CPU µs/req = server utime+stime over the window ÷ requests wrk counted; "
               "user µs/req = utime alone. Ratios are mionex ÷ that server: below 1 is better "
               "for CPU, above 1 is better for req/s.\n")
    have_mionex = "mionex" in servers
    for sc in wrk_scen:
        title, _, _, depth = SCENARIOS[sc]
        out.append(f"## {title}\n")
        out.append("| server | req/s | p50 ms | p99 ms | peak RSS MiB | CPU µs/req | user µs/req "
                   "| mionex CPU/req ratio | mionex req/s ratio |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        m_cpu, m_rps = med(sc, "mionex", "cpu_us"), med(sc, "mionex", "rps")
        for name in servers:
            if (sc, name) not in runs:
                out.append(f"| {SERVERS[name][0]} | failed | | | | | | | |")
                continue
            rps, cpu = med(sc, name, "rps"), med(sc, name, "cpu_us")
            lat = (None, None) if depth else (med(sc, name, "p50"), med(sc, name, "p99"))
            if name == "mionex" or not have_mionex or m_cpu is None:
                rc = rr = "–"
            else:
                rc = f"{m_cpu / cpu:.2f}×" if cpu else "–"
                rr = f"{m_rps / rps:.2f}×" if rps else "–"
            out.append(f"| {SERVERS[name][0]} | {rps:,.0f} | {fmt(lat[0], '.2f')} | "
                       f"{fmt(lat[1], '.2f')} | {med(sc, name, 'rss_mib'):.1f} | {cpu:.2f} | "
                       f"{med(sc, name, 'user_us'):.2f} | {rc} | {rr} |")
        out.append("")

    if idle:
        out.append(f"## {IDLE_CONNS:,} idle keep-alive connections\n")
        out.append("Each connection served one `GET /plaintext`, then stayed open and idle. "
                   "KiB per connection = (VmRSS with them open − VmRSS before) ÷ connections.\n")
        out.append("| server | connections held | RSS before MiB | RSS with connections MiB "
                   "| KiB per connection |")
        out.append("|---|---:|---:|---:|---:|")
        for name in servers:
            r = idle.get(name, {})
            if "before_mib" not in r:
                out.append(f"| {SERVERS[name][0]} | failed | | | |")
                continue
            out.append(f"| {SERVERS[name][0]} | {r['held']:,} | {r['before_mib']:.1f} | "
                       f"{r['after_mib']:.1f} | "
                       f"{fmt(r['kib_per_conn'], '.1f')} |")
        out.append("")

    out.append("## Stripped binary sizes\n")
    out.append("| binary | KiB |")
    out.append("|---|---:|")
    sized = [(SERVERS[n][0], SERVERS[n][1](0)[0]) for n in servers]
    for ex in ("hello", "hello_world"):
        p = os.path.join(ROOT, "target", "release", "examples", ex)
        if os.access(p, os.X_OK) and os.path.exists(os.path.join(ROOT, "examples", ex + ".rs")):
            sized.insert(0, (f"mionex examples/{ex}.rs", p))
    for label, path in sized:
        out.append(f"| {label} | {fmt(stripped_kib(path), ',.0f')} |")
    out.append("")

    if have_mionex:
        out.extend(summary(servers, wrk_scen, med, idle, sized))

    if notes:
        out.append("## Notes\n")
        out.extend(f"- {n}" for n in notes)
        out.append("")

    table = "\n".join(out)
    print(table)

    # The file also keeps every round, for whoever doubts a median.
    raw = ["## Every round\n", "| scenario | server | round | req/s | p50 ms | p99 ms | "
           "RSS MiB | CPU µs/req | user µs/req | others' CPU % |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for sc in wrk_scen:
        for name in servers:
            for i, r in enumerate(runs.get((sc, name), []), 1):
                raw.append(f"| {sc} | {name} | {i} | {r['rps']:,.0f} | {fmt(r['p50'], '.2f')} | "
                           f"{fmt(r['p99'], '.2f')} | {r['rss_mib']:.1f} | {r['cpu_us']:.2f} | "
                           f"{r['user_us']:.2f} | {r['other_pct']:.0f} |")
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"http-{now:%Y-%m-%d-%H%M}.md")
    with open(path, "w") as f:
        f.write(table + "\n" + "\n".join(raw) + "\n")
    log(f"written to {os.path.relpath(path, ROOT)}; server logs in {logdir}")


if __name__ == "__main__":
    main()
