#!/usr/bin/env python
"""The load test (`make loadtest`, issue #22): the production stack on loopback under locust, on the benchmark
database (1,000,000 hazards from `seed_bulk`; run `make bench` first).

Starts gunicorn with the Dockerfile's command (DEBUG off, a throw-away SECRET_KEY, ALLOWED_HOSTS=127.0.0.1), the
Celery worker and beat with docker-compose.yml's commands (the beat runs the escalation sweep every
ESCALATION_SWEEP_INTERVAL seconds, with --due-escalations hazards due at the start), then runs locust headless, one
process, in steps:

1. the read mix (`HeadReader`) at 1, 2, 4, ... users with no think time until the served throughput stops growing
   (a step less than 10 % above the best before it) or --max-users: the peak is the highest served req/s, the
   saturating concurrency C* the fewest users that reach 0.9 of it;
2. the read mix at 2×C* and at 32×C* users: served req/s against the peak, failures by kind;
3. the read mix at 0.7 × the peak rate (locust's constant_throughput over 2×C* users): p50, p99 and their ratio;
4. the full mix (every role, writes included, locustfile.py) at 2×C* users (8 at least): served req/s, failures.

"Served" counts successful answers only. Failures are counted by kind: 503 with Retry-After (a deliberate refusal),
409 (two users acting on one hazard, full mix only) and any other. Figures go to bench/results.json (entries
named "load: ...", merged with the others) and are printed. Every process started is stopped, also on Ctrl-C.

Usage: bench/loadtest/run.py [--step-seconds 30] [--hold-seconds 45] [--max-users 64] [--quick] [--no-full-mix]
The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/safety_bench); REDIS_URL is required.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
RETRY_AFTER = "503 with Retry-After"  # as locustfile.py names them
CONFLICT = "409 conflict"
GROWTH = 1.1  # a step must serve this much more than the best before it, or the throughput has stopped growing
NEAR_PEAK = 0.9  # C*: the fewest users serving this share of the peak
READ_CLASSES = ["HeadReader"]
WRITES = ("inspections: file a finding", "hazards: confirm", "hazards: submit plan", "hazards: submit rectification",
          "hazards: accept", "exports: start")  # fmt: skip
CONTAINER_PATHS = {"VAR_DIR", "STATIC_ROOT"}  # the Dockerfile's; the load test's own are in a temporary folder
FULL_MIX_USERS = 8  # 2 inspectors, 2 enterprises and the city office (fixed counts), and 3 department heads
FULL_CLASSES = ["DepartmentHead", "Inspector", "Enterprise", "CityOffice"]


# --- locust's CSV output ---------------------------------------------------------------------------------------


@dataclass
class Step:
    label: str
    users: int
    seconds: float
    requests: int = 0
    failures: Counter = field(default_factory=Counter)  # kind -> count: RETRY_AFTER, CONFLICT, "other"
    served_rps: float = 0.0  # successes per second after the warm-up
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    locust_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    machine_busy: float = 0.0  # share of all cores busy (anyone's) during the step
    errors: list[str] = field(default_factory=list)  # the other failures' messages, for the report
    by_name: dict[str, tuple[int, int]] = field(default_factory=dict)  # request name -> (requests, failures)

    @property
    def others(self) -> int:
        return self.failures["other"]

    @property
    def served(self) -> int:
        return self.requests - sum(self.failures.values())


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def aggregated(prefix: Path) -> dict:
    """The `Aggregated` row of locust's <prefix>_stats.csv (the whole run)."""
    for row in read_csv(Path(f"{prefix}_stats.csv")):
        if row["Name"] == "Aggregated":
            return row
    return {}


def per_name(prefix: Path) -> dict[str, tuple[int, int]]:
    rows = read_csv(Path(f"{prefix}_stats.csv"))
    return {r["Name"]: (int(r["Request Count"]), int(r["Failure Count"])) for r in rows if r["Name"] != "Aggregated"}


def failure_kinds(prefix: Path) -> tuple[Counter, list[str]]:
    """Failures by kind from <prefix>_failures.csv, and the other failures' messages."""
    kinds, others = Counter(), []
    for row in read_csv(Path(f"{prefix}_failures.csv")):
        count = int(row["Occurrences"])
        error = row["Error"]
        if RETRY_AFTER in error:
            kinds[RETRY_AFTER] += count
        elif CONFLICT in error:
            kinds[CONFLICT] += count
        else:
            kinds["other"] += count
            others.append(f"{count}× {row['Method']} {row['Name']}: {error}")
    return kinds, others


def served_rate(prefix: Path, warm_s: float) -> float:
    """Successful answers per second after the first `warm_s` seconds, from the cumulative counts of
    <prefix>_stats_history.csv (one `Aggregated` row a second)."""
    rows = [r for r in read_csv(Path(f"{prefix}_stats_history.csv")) if r["Name"] == "Aggregated"]
    points = [(int(r["Timestamp"]), int(r["Total Request Count"]) - int(r["Total Failure Count"])) for r in rows]
    if len(points) < 2:
        return 0.0
    start = points[0][0] + warm_s
    window = [p for p in points if p[0] >= start] or points
    if len(window) < 2:
        window = points
    (t0, n0), (t1, n1) = window[0], window[-1]
    return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0


def fill(step: Step, prefix: Path, warm_s: float) -> Step:
    row = aggregated(prefix)
    step.requests = int(row.get("Request Count") or 0)
    step.p50_ms = float(row.get("50%") or 0)
    step.p99_ms = float(row.get("99%") or 0)
    step.failures, step.errors = failure_kinds(prefix)
    step.served_rps = served_rate(prefix, warm_s)
    step.by_name = per_name(prefix)
    return step


def saturation(steps: list[Step]) -> tuple[int, float]:
    """(C*, peak): the peak is the highest served rate; C* the fewest users that served NEAR_PEAK of it."""
    peak = max(s.served_rps for s in steps)
    c_star = min(s.users for s in steps if s.served_rps >= NEAR_PEAK * peak)
    return c_star, peak


def stopped_growing(steps: list[Step]) -> bool:
    """The last step did not gain GROWTH over the best before it; never before 4 users (a busy machine's noise
    can make 2 users look no better than 1)."""
    if len(steps) < 2 or steps[-1].users < 4:
        return False
    best_before = max(s.served_rps for s in steps[:-1])
    return steps[-1].served_rps < GROWTH * best_before


# --- the processes ---------------------------------------------------------------------------------------------


def dockerfile_command(port: int, log: Path) -> list[str]:
    """The Dockerfile's CMD (gunicorn and its options as production runs them) bound to 127.0.0.1:<port>."""
    lines = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    command = json.loads(lines[-1][4:])
    return [sys.executable, "-m", *localise(command, port, log)]


def dockerfile_env(text: str | None = None) -> dict[str, str]:
    """The Dockerfile's ENV settings (e.g. ADMIT_CONCURRENT, ADMIT_WAIT_MS), but its container paths."""
    text = (ROOT / "Dockerfile").read_text() if text is None else text
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for word in shlex.split(line[4:]):
                key, _, value = word.partition("=")
                env[key] = value
    return {key: value for key, value in env.items() if key not in CONTAINER_PATHS}


def localise(command: list[str], port: int, log: Path) -> list[str]:
    """The command bound to loopback: its bind replaced, or one added (gunicorn's command line wins over a -c
    config file); an access log to stdout goes to a file."""
    if not any(arg in ("-b", "--bind") or arg.startswith("--bind=") for arg in command):
        command = [*command, "-b", f"127.0.0.1:{port}"]
    out, skip = [], False
    for n, arg in enumerate(command):
        if skip:
            skip = False
            continue
        if arg in ("-b", "--bind"):
            out += [arg, f"127.0.0.1:{port}"]
            skip = True
        elif arg.startswith("--bind="):
            out.append(f"--bind=127.0.0.1:{port}")
        elif arg == "--access-logfile" and n + 1 < len(command) and command[n + 1] == "-":
            out += [arg, str(log)]  # written as in production, to a file instead of the container's stdout
            skip = True
        else:
            out.append(arg)
    return out


def compose_command(service: str, folder: Path) -> list[str]:
    """docker-compose.yml's command for the worker or the beat, its schedule file in `folder`."""
    import yaml

    command = list(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]["command"])
    if "-s" in command:
        command[command.index("-s") + 1] = str(folder / "celerybeat-schedule")
    assert command[0] == "celery", command
    return [sys.executable, "-m", *command]


def server_env(url: str, folder: Path, redis_url: str) -> dict[str, str]:
    from bench.offline_shell import server_env as production_env

    env = production_env(url, folder)
    env.update(dockerfile_env())  # what the image sets, e.g. admission control (ADMIT_CONCURRENT, ADMIT_WAIT_MS)
    # The API serves no static file; collecting (and compressing) them would cost a minute of CPU for nothing.
    env.pop("STATICFILES_STORAGE", None)
    env.pop("WHITENOISE_USE_FINDERS", None)
    env.update(REDIS_URL=redis_url, DEBUG="0", ALLOWED_HOSTS="127.0.0.1")
    return env


def get_token(base: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    for _ in range(5):
        request = urllib.request.Request(f"{base}/api/v1/auth/token/", body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.load(answer)["token"]
        except urllib.error.HTTPError as error:
            if error.code != 429:
                raise
            time.sleep(float(error.headers.get("Retry-After") or 10))
    raise RuntimeError(f"no token for {username}")


def group_cpu(pid: int) -> float:
    """CPU seconds of a process and its children so far (gunicorn's master and workers)."""
    import psutil

    try:
        process = psutil.Process(pid)
        total = sum(process.cpu_times()[:2])
        for child in process.children(recursive=True):
            with suppress(psutil.NoSuchProcess):
                total += sum(child.cpu_times()[:2])
        return total
    except psutil.NoSuchProcess:
        return 0.0


def machine_cpu() -> tuple[float, float]:
    import psutil

    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0)
    return sum(times) - idle, sum(times)


# --- one locust run --------------------------------------------------------------------------------------------


class Runner:
    def __init__(self, base: str, env: dict[str, str], folder: Path, server_pid: int):
        self.base, self.env, self.folder, self.server_pid = base, env, folder, server_pid
        self.count = 0

    def run(self, label: str, users: int, seconds: float, classes: list[str], rate: float = 0.0) -> Step:
        from tests.processes import running

        self.count += 1
        prefix = self.folder / f"step{self.count:02d}"
        env = dict(self.env, LOADTEST_USER_RATE=str(rate) if rate else "")
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", self.base,
                   "-u", str(users), "-r", str(users), "-t", f"{int(seconds)}s", "--stop-timeout", "5",
                   "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *classes]  # fmt: skip
        server0, (busy0, all0) = group_cpu(self.server_pid), machine_cpu()
        step = Step(label, users, seconds)
        print(f"  {label}: {users} users for {int(seconds)} s ...", end="", flush=True)
        with running(f"locust-{self.count:02d}", command, env, self.folder, quiet=True) as process:
            step.locust_cpu_s = wait_with_cpu(process, seconds + 60)
        busy1, all1 = machine_cpu()
        step.server_cpu_s = group_cpu(self.server_pid) - server0
        step.machine_busy = (busy1 - busy0) / (all1 - all0) if all1 > all0 else 0.0
        fill(step, prefix, warm_s=min(10, seconds * 0.2))
        print(f" {step.served_rps:.1f} req/s served, p50 {step.p50_ms:.0f} ms, p99 {step.p99_ms:.0f} ms, "
              f"failures {dict(step.failures) or 0}")  # fmt: skip
        return step


def wait_with_cpu(process: subprocess.Popen, timeout: float) -> float:
    """Wait for the child (killed past `timeout`) and answer the CPU seconds it used (its own rusage)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        time.sleep(0.2)
    raise RuntimeError(f"locust did not stop within {timeout:.0f} s")


# --- the whole test --------------------------------------------------------------------------------------------


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM unwind through the `running` blocks, which stop every process started (each in its own
    session, so a terminal's Ctrl-C reaches only this one). SIGINT is set explicitly: a shell starting this in the
    background (`make loadtest &`) hands it over ignored."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step-seconds", type=float, default=30, help="each concurrency step of the search")
    parser.add_argument("--hold-seconds", type=float, default=45, help="the 2×, 32×, 0.7× and full-mix runs")
    parser.add_argument("--max-users", type=int, default=64, help="the search's last step at most")
    parser.add_argument("--storm-factor", type=int, default=32, help="the second overload: this × C* users")
    parser.add_argument("--due-escalations", type=int, default=2000,
                        help="open bulk hazards with an escalation step due at the start")  # fmt: skip
    parser.add_argument("--no-full-mix", action="store_true", help="skip the run with every role")
    parser.add_argument("--quick", action="store_true", help="10 s steps, 15 s runs, up to 8 users (a smoke run)")
    args = parser.parse_args(argv)
    stop_on_signals()
    if args.quick:
        args.step_seconds, args.hold_seconds, args.max_users = 10, 15, 8

    from bench.run import DEFAULT_URL, ensure_database, print_table

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("Set REDIS_URL (the broker and cache the stack runs with), e.g. redis://127.0.0.1:6379/6")
    ensure_database(url)
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="safety_platform.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 40)
    import django

    django.setup()
    from bench.loadtest import prepare
    from bench.offline_shell import answers
    from tests.processes import free_port, running, wait_for

    password = secrets.token_urlsafe(16)
    print("preparing the bench accounts and inspections ...", flush=True)
    accounts = prepare.prepare(password)
    if args.due_escalations:
        from bench.scenarios import due_escalations

        due_escalations(args.due_escalations)
    from django.db import connections

    connections.close_all()

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="loadtest-") as name, ExitStack() as stack:
        folder = Path(name)
        env = server_env(url, folder, redis_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        web = dockerfile_command(port, folder / "access.log")
        print("gunicorn:", shlex.join(web[2:]))
        server = stack.enter_context(running("gunicorn", web, env, folder, quiet=True))
        stack.enter_context(running("worker", compose_command("worker", folder), env, folder, quiet=True))
        stack.enter_context(running("beat", compose_command("beat", folder), env, folder, quiet=True))
        wait_for(lambda: answers(f"{base}/healthz") or server.poll() is not None, timeout=120, what="gunicorn")
        if server.poll() is not None:
            raise SystemExit((folder / "gunicorn.log").read_text(errors="replace")[-3000:])
        tokens = {name: get_token(base, name, password) for name in accounts.usernames()}
        accounts_file = folder / "accounts.json"
        accounts_file.write_text(json.dumps({"accounts": accounts.as_dict(), "tokens": tokens}))
        env["LOADTEST_ACCOUNTS"] = str(accounts_file)
        runner = Runner(base, env, folder, server.pid)
        results = measure(runner, args)
    print(f"\nthe load test took {time.monotonic() - started:.0f} s")
    write(results)
    print_table(results)
    return 0


def measure(runner: Runner, args) -> list[dict]:
    print("1. the read mix, users doubling until the throughput stops growing", flush=True)
    steps: list[Step] = []
    users = 1
    while users <= args.max_users:
        steps.append(runner.run("search", users, args.step_seconds, READ_CLASSES))
        if stopped_growing(steps):
            break
        users *= 2
    c_star, peak = saturation(steps)
    print(f"   saturation: {peak:.1f} req/s served, reached with {c_star} users", flush=True)
    print("2. overload", flush=True)
    double = runner.run("2×C*", 2 * c_star, args.hold_seconds, READ_CLASSES)
    storm = runner.run(f"{args.storm_factor}×C*", args.storm_factor * c_star, args.hold_seconds, READ_CLASSES)
    print("3. 0.7 × the peak rate", flush=True)
    users = max(2 * c_star, 2)
    calm = runner.run("0.7×peak", users, args.hold_seconds, READ_CLASSES, rate=0.7 * peak / users)
    mixed = None
    if not args.no_full_mix:
        print("4. the full mix (every role, writes included)", flush=True)
        mixed = runner.run("full mix", max(2 * c_star, FULL_MIX_USERS), args.hold_seconds, FULL_CLASSES)
        for name, (requests, failures) in sorted(mixed.by_name.items()):
            print(f"     {name:<45} {requests:>7} requests, {failures} failed")
    return entries(steps, c_star, peak, double, storm, calm, mixed, args)


def entries(steps, c_star, peak, double, storm, calm, mixed, args) -> list[dict]:
    from bench.run import entry

    top = max(steps, key=lambda s: s.served_rps)
    results = [
        entry(
            f"load: saturation throughput, read mix ({c_star} users, steps {'/'.join(str(s.users) for s in steps)})",
            peak,
            "req/s",
            ">= 100",
            peak >= 100,
        ),  # fmt: skip
        entry(
            "load: server CPU per request at the peak", 1000 * top.server_cpu_s / max(top.served, 1), "ms", "info", True
        ),  # fmt: skip
        entry("load: p99 / p50 at the peak", top.p99_ms / max(top.p50_ms, 1), "ratio", "info", True),
    ]
    for step, name in ((double, "2×"), (storm, f"{args.storm_factor}×")):
        share = step.served_rps / peak if peak else 0
        results += [
            entry(
                f"load: {name} saturating concurrency ({step.users} users), served / peak",
                share,
                "ratio",
                f">= {NEAR_PEAK}",
                share >= NEAR_PEAK,
            ),  # fmt: skip
            entry(
                f"load: {name} saturating concurrency, failures other than 503 with Retry-After",
                step.others,
                "requests",
                "0",
                step.others == 0,
            ),  # fmt: skip
            entry(
                f"load: {name} saturating concurrency, 503 with Retry-After",
                step.failures[RETRY_AFTER],
                "requests",
                "info",
                True,
            ),  # fmt: skip
            entry(f"load: {name} saturating concurrency, p99", step.p99_ms, "ms", "info", True),
        ]
    ratio = calm.p99_ms / max(calm.p50_ms, 1)
    results += [
        entry(
            f"load: 0.7× peak rate ({0.7 * peak:.0f} req/s asked, {calm.served_rps:.0f} served), p99 / p50",
            ratio,
            "ratio",
            "<= 5",
            ratio <= 5 and calm.others == 0,
        ),  # fmt: skip
        entry("load: 0.7× peak rate, p50", calm.p50_ms, "ms", "info", True),
        entry("load: 0.7× peak rate, p99", calm.p99_ms, "ms", "info", True),
    ]
    if mixed is not None:
        results += [
            entry(f"load: full mix ({mixed.users} users, every role), served", mixed.served_rps, "req/s", "info", True),
            entry(
                "load: full mix, failures other than 503 with Retry-After and 409",
                mixed.others,
                "requests",
                "0",
                mixed.others == 0,
            ),  # fmt: skip
            entry("load: full mix, 409 (two users on one hazard)", mixed.failures[CONFLICT], "requests", "info", True),
        ]
        for name in WRITES:
            done = mixed.by_name.get(name, (0, 0))
            results.append(entry(f"load: full mix, {name} (succeeded)", done[0] - done[1], "requests", "info", True))
    every = [*steps, double, storm, calm, *([mixed] if mixed else [])]
    seconds = sum(s.seconds for s in every)
    locust = sum(s.locust_cpu_s for s in every) / seconds
    busy = sum(s.machine_busy * s.seconds for s in every) / seconds
    results += [
        entry("load: locust's CPU (one process), share of one core", locust, "ratio", "info", True),
        entry(f"load: the machine's CPU busy (anyone's, {os.cpu_count()} cores)", busy, "ratio", "info", True),
    ]
    for step in every:
        for line in step.errors[:5]:
            print(f"  {step.label} ({step.users} users): {line}")
    return results


def write(results: list[dict]) -> None:
    """Merge into bench/results.json: the load entries replace the last ones, the other benchmarks stay."""
    out = ROOT / "bench" / "results.json"
    old = json.loads(out.read_text()) if out.exists() else []
    merged = [r for r in old if not r["name"].startswith("load: ")] + results
    out.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: every process the load test started is stopped; bench/results.json unchanged")
        sys.exit(130)
