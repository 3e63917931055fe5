"""Production refuses to start without SECRET_KEY; development and the tests do not need one (issue #12, point 15).

Each case imports the settings in a fresh interpreter, with exactly the environment given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_settings(tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    base.update(VAR_DIR=str(tmp_path), **env)
    code = "import safety_platform.settings as s; print(s.SECRET_KEY)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True)


def test_production_without_secret_key_refuses_to_start(tmp_path):
    for env in ({"DEBUG": "0"}, {}, {"DEBUG": "0", "SECRET_KEY": ""}):
        result = import_settings(tmp_path, **env)
        assert result.returncode != 0, env
        assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
        assert "DEBUG=1" in result.stderr  # it says what to do on a developer's machine


def test_production_with_secret_key_starts(tmp_path):
    result = import_settings(tmp_path, DEBUG="0", SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "k" * 50


def test_development_starts_without_secret_key_on_a_key_that_check_deploy_flags(tmp_path):
    result = import_settings(tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("django-insecure-")


def test_the_tests_run_on_settings_that_set_a_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import tests.settings as s; print(s.DEBUG, len(s.SECRET_KEY) >= 50)"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}, "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
