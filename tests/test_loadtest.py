"""The load test's driver (bench/loadtest/run.py) without load: how it reads locust's CSV output, finds the
saturation, and runs the Dockerfile's gunicorn on loopback; and that locust loads the locustfile's roles.
The load test itself runs with `make loadtest`, never in the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.loadtest import run
from bench.loadtest.run import Step

ROOT = Path(__file__).resolve().parent.parent

# Headers as locust 2.32 writes them (`--csv`), the rows cut down.
STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,\
Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,hazards: list,700,5,40,60.1,3.2,900.4,3000.0,23.3,0.1,40,50,60,70,90,120,300,600,900,900,900
,Aggregated,1000,14,38,70.5,1.5,1200.0,2000.0,33.3,0.4,38,45,52,60,80,110,400,700,1100,1200,1200
"""
FAILURES = """Method,Name,Error,Occurrences
GET,hazards: list,CatchResponseError('503 with Retry-After'),5
POST,hazards: confirm,CatchResponseError('409 conflict'),2
GET,dashboard,CatchResponseError('HTTP 500'),4
GET,hazards: detail,"ConnectionResetError(104, 'Connection reset by peer')",3
"""
HISTORY_HEAD = """Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,\
100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,\
Total Min Response Time,Total Max Response Time,Total Average Content Size
"""


def history(points: list[tuple[int, int, int]]) -> str:
    rows = [
        f"{t},4,,Aggregated,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,{n},{f},0,0.0,0,0,0" for t, n, f in points
    ]
    return HISTORY_HEAD + "\n".join(rows) + "\n"


def write_run(tmp_path: Path, points) -> Path:
    prefix = tmp_path / "step01"
    Path(f"{prefix}_stats.csv").write_text(STATS)
    Path(f"{prefix}_failures.csv").write_text(FAILURES)
    Path(f"{prefix}_stats_history.csv").write_text(history(points))
    return prefix


def test_a_run_is_read_from_locusts_csv(tmp_path):
    # 10 s of warm-up at a slow start, then 20 s serving 40 a second while failing 1 a second.
    points = [(1000 + s, 10 * s, 0) for s in range(11)] + [(1010 + s, 100 + 41 * s, s) for s in range(1, 21)]
    step = run.fill(Step("search", 4, 30), write_run(tmp_path, points), warm_s=10)
    assert step.requests == 1000
    assert step.by_name == {"hazards: list": (700, 5)}
    assert (step.p50_ms, step.p99_ms) == (38, 700)
    assert step.served_rps == 40
    assert step.failures == {run.RETRY_AFTER: 5, run.CONFLICT: 2, "other": 7}
    assert step.others == 7 and step.served == 1000 - 14
    assert any("HTTP 500" in line for line in step.errors) and any("reset" in line for line in step.errors)


def test_the_warm_up_is_left_out_of_the_served_rate(tmp_path):
    points = [(1000, 0, 0), (1001, 1, 0), (1002, 101, 0), (1003, 201, 0)]
    assert run.fill(Step("s", 1, 3), write_run(tmp_path, points), warm_s=1).served_rps == 100
    assert run.fill(Step("s", 1, 3), write_run(tmp_path, points), warm_s=0).served_rps == 67


def test_a_run_locust_never_wrote_counts_nothing(tmp_path):
    step = run.fill(Step("s", 1, 3), tmp_path / "absent", warm_s=1)
    assert (step.requests, step.served_rps, sum(step.failures.values())) == (0, 0, 0)


def steps(*rates: float) -> list[Step]:
    return [Step("search", 2**n, 30, served_rps=rate) for n, rate in enumerate(rates)]


def test_the_search_stops_when_a_doubling_gains_less_than_ten_percent():
    assert not run.stopped_growing(steps(10))
    assert not run.stopped_growing(steps(10, 9))  # not before 4 users
    assert not run.stopped_growing(steps(10, 19, 30))
    assert run.stopped_growing(steps(10, 19, 30, 32))
    assert run.stopped_growing(steps(10, 19, 30, 25))


def test_saturation_is_the_peak_and_the_fewest_users_near_it():
    assert run.saturation(steps(10, 19, 38, 40, 41)) == (4, 41)
    assert run.saturation(steps(10, 19, 30, 40, 35)) == (8, 40)


def test_gunicorn_runs_as_the_dockerfile_says_on_loopback(tmp_path):
    log = tmp_path / "access.log"
    command = run.dockerfile_command(8123, log)
    cmd = json.loads(next(x for x in (ROOT / "Dockerfile").read_text().splitlines() if x.startswith("CMD "))[4:])
    assert command[:3] == [sys.executable, "-m", "gunicorn"]
    assert "127.0.0.1:8123" in command and not any("0.0.0.0" in arg for arg in command)
    bound = any(arg in ("-b", "--bind") or arg.startswith("--bind=") for arg in cmd)
    assert command[3:] == run.localise(cmd, 8123, log)[1:]  # every option kept, in order
    assert len(command) == len(cmd) + 2 + (0 if bound else 2)  # the bind replaced in place, or added
    if "--access-logfile" in cmd:
        assert command[command.index("--access-logfile") + 1] == str(log)
    config = ["gunicorn", "app", "--bind=0.0.0.0:8000", "-k", "gthread", "--threads", "8", "--access-logfile", "-"]
    assert run.localise(config, 9, log) == ["gunicorn", "app", "--bind=127.0.0.1:9", "-k", "gthread", "--threads",
                                            "8", "--access-logfile", str(log)]  # fmt: skip


def test_a_config_file_command_gets_a_loopback_bind(tmp_path):
    """`gunicorn -c gunicorn.conf.py` binds where its file says (0.0.0.0:8000): the command line's -b wins."""
    assert run.localise(["gunicorn", "-c", "gunicorn.conf.py"], 9, tmp_path / "a.log") == [
        "gunicorn", "-c", "gunicorn.conf.py", "-b", "127.0.0.1:9"]  # fmt: skip


def test_the_dockerfiles_settings_are_the_servers_but_its_paths():
    dockerfile = """FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/safety STATIC_ROOT=/app/staticfiles
ENV ADMIT_CONCURRENT=2 ADMIT_WAIT_MS=1000
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
"""
    expected = {
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "ADMIT_CONCURRENT": "2",
        "ADMIT_WAIT_MS": "1000",
    }
    assert run.dockerfile_env(dockerfile) == expected
    assert set(run.dockerfile_env()).isdisjoint(run.CONTAINER_PATHS)


def test_the_worker_and_beat_run_as_compose_says(tmp_path):
    worker = run.compose_command("worker", tmp_path)
    beat = run.compose_command("beat", tmp_path)
    assert worker[:4] == [sys.executable, "-m", "celery", "-A"] and "worker" in worker and "escalation" in str(worker)
    assert beat[beat.index("-s") + 1] == str(tmp_path / "celerybeat-schedule")


def test_locust_loads_every_role():
    """In a process of its own: locust patches the standard library with gevent when imported."""
    listed = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/loadtest/locustfile.py"), "--list"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr[-2000:]
    for role in ("HeadReader", *run.FULL_CLASSES):
        assert role in listed.stdout
