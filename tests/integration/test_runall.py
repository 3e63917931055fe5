"""`make run` (`manage.py runall`) in its zero-setup mode (SQLite, filesystem broker, a temporary VAR_DIR), as a
real process: any of SIGINT, SIGTERM or SIGHUP stops the web server, the worker and beat, and the web server answers
a page outside the site with the platform's 404 page, not Django's debug page (issue #14, items 5 and 14)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.processes import PYTHON, ROOT, free_port, wait_for

pytestmark = pytest.mark.integration

# What the zero-setup mode runs without: no server, no key, no debug flag given.
DROPPED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")


def processes() -> dict[int, tuple[int, int, str]]:
    """Every live process on the machine: pid -> (parent pid, process group, command line), zombies left out."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        state, parent, group = fields[0], int(fields[1]), int(fields[2])
        if state not in ("Z", "X"):
            table[int(entry.name)] = (parent, group, command)
    return table


def children_of(pid: int) -> dict[int, str]:
    return {child: command for child, (parent, _, command) in processes().items() if parent == pid}


def left_in(groups: set[int]) -> dict[int, str]:
    """Processes still alive in these process groups (a child and anything it started)."""
    return {pid: command for pid, (_, group, command) in processes().items() if group in groups}


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_stop_signal_stops_the_web_server_worker_and_beat(tmp_path, name):
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.update(VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    port = free_port()
    log_path = tmp_path / "runall.log"
    with open(log_path, "wb") as log:
        runall = subprocess.Popen(
            [PYTHON, "manage.py", "runall", "--addr", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    groups: set[int] = set()
    try:
        children = wait_for(
            lambda: (found := children_of(runall.pid)) and len(found) == 3 and found,
            timeout=60,
            what=lambda: f"three children of runall, found {children_of(runall.pid)}",
        )
        commands = " | ".join(children.values())
        assert "runserver" in commands and " worker " in commands and " beat " in commands, commands
        groups = set(children)  # each child leads a process group of its own
        # The web server is up, with DEBUG off: a page outside the site gets the platform's own 404 page.
        status, body = wait_for(lambda: (answer := get(f"http://127.0.0.1:{port}/no-such-page/"))[0] and answer,
                                timeout=60, what="the web server")  # fmt: skip
        assert status == 404
        assert 'lang="zh-hans"' in body and "未找到" in body and "返回首页" in body
        assert "URLconf" not in body and "DEBUG = True" not in body  # not Django's debug page
        status, css = get(f"http://127.0.0.1:{port}/static/css/site.css")  # static files without DEBUG (whitenoise)
        assert status == 200 and ".mainnav" in css
        assert len(left_in(groups)) >= 3

        runall.send_signal(getattr(signal, name))
        assert runall.wait(timeout=60) == 0
        wait_for(lambda: not left_in(groups), timeout=30, what=lambda: f"the children to end: {left_in(groups)}")
        assert "Stopping" in log_path.read_text(errors="replace")
    finally:
        if runall.poll() is None:
            os.killpg(runall.pid, signal.SIGKILL)
            runall.wait()
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        print(log_path.read_text(errors="replace")[-3000:])
