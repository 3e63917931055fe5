"""Production refuses to serve without SECRET_KEY; development and the tests do not need one (issue #12, point 15).

The settings leave the key empty in production, as Django does, so commands that need no key (makemigrations,
makemessages) run bare; the processes that serve (WSGI, the Celery worker and beat) refuse to start. Each case runs
in a fresh interpreter, with exactly the environment given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_WSGI = "import safety_platform.wsgi as w; from django.conf import settings; print(settings.SECRET_KEY)"


def run(tmp_path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")
    }
    base.update(VAR_DIR=str(tmp_path), **env)
    return subprocess.run(args, cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def test_production_web_server_without_secret_key_refuses_to_start(tmp_path):
    for env in ({"DEBUG": "0"}, {}, {"DEBUG": "0", "SECRET_KEY": ""}):
        result = run(tmp_path, [sys.executable, "-c", START_WSGI], **env)
        assert result.returncode != 0, env
        assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
        assert "DEBUG=1" in result.stderr  # it says what to do on a developer's machine


def test_production_worker_and_beat_without_secret_key_refuse_to_start(tmp_path):
    celery = str(Path(sys.executable).parent / "celery")
    for command in ("worker", "beat"):
        result = run(tmp_path, [celery, "-A", "safety_platform", command, "--loglevel=WARNING"], DEBUG="0")
        assert result.returncode != 0, command
        assert "SECRET_KEY is not set" in result.stderr + result.stdout, command


def test_commands_that_need_no_key_run_bare(tmp_path):
    # The end-of-session hook found `makemigrations --check` failing bare ("Models aren't loaded yet") when the
    # settings themselves raised; now they leave the key empty and only the serving processes refuse.
    result = run(tmp_path, [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_check_deploy_reports_a_missing_key(tmp_path):
    result = run(tmp_path, [sys.executable, "manage.py", "check", "--deploy"], DEBUG="0")
    assert "security.W009" in result.stderr + result.stdout


def test_production_with_secret_key_starts(tmp_path):
    result = run(tmp_path, [sys.executable, "-c", START_WSGI], DEBUG="0", SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "k" * 50


def test_development_starts_without_secret_key_on_a_key_that_check_deploy_flags(tmp_path):
    result = run(tmp_path, [sys.executable, "-c", START_WSGI], DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("django-insecure-")


def test_the_tests_run_on_settings_that_set_a_key(tmp_path):
    result = run(
        tmp_path, [sys.executable, "-c", "import tests.settings as s; print(s.DEBUG, len(s.SECRET_KEY) >= 50)"]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


# --- make run (manage.py runall): DEBUG off for pages, a development key of its own (issue #14, item 5) -----------

START_SERVING = (
    "import django; django.setup(); from django.conf import settings; "
    "from safety_platform.lib.env import require_secret_key; require_secret_key(); "
    "print(settings.DEBUG, settings.SECRET_KEY)"
)


def test_make_run_starts_its_processes_with_debug_off_on_a_development_key(tmp_path):
    from ops.management.commands.runall import run_environment

    env = run_environment({"PATH": os.environ["PATH"]}, tmp_path)
    assert env["DEBUG"] == "0"
    key = env["SECRET_KEY"]
    assert key.startswith("dev-only-") and len(key) >= 50
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o777 == 0o600  # the owner's only
    assert run_environment({}, tmp_path)["SECRET_KEY"] == key  # kept: sessions survive a restart
    # The web server, worker and beat load the settings with this environment: DEBUG off, and they start.
    result = run(tmp_path, [sys.executable, "-c", START_SERVING], DEBUG=env["DEBUG"], SECRET_KEY=key,
                 DJANGO_SETTINGS_MODULE="safety_platform.settings")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", key]


def test_make_run_keeps_what_the_developer_set(tmp_path):
    from ops.management.commands.runall import run_environment

    env = run_environment({"DEBUG": "1", "SECRET_KEY": "mine-" + "k" * 50}, tmp_path)
    assert env["DEBUG"] == "1" and env["SECRET_KEY"] == "mine-" + "k" * 50
    assert not (tmp_path / "dev-secret-key").exists()


def test_make_run_does_not_turn_debug_on():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py runall" in recipe and "DEBUG" not in recipe
