"""The settings pytest runs with: the platform's own, with a key for the tests when SECRET_KEY is not set.

Without DEBUG the platform refuses to start without SECRET_KEY (safety_platform/settings.py). The key goes into the
environment, so the gunicorn, worker and beat processes the integration tests start (tests/processes.py) get it too.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-key-" + "x" * 50)

from safety_platform.settings import *  # noqa: E402, F403
