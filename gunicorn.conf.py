"""gunicorn's settings, read from the working directory by every `gunicorn` started there: the Docker image's web
service, `make prod-smoke`, the integration tests and the benchmarks (docs/load.md).

Threads (gthread), so that a process holds many connections at once and its admission control
(safety_platform/lib/shedding.py) answers the requests beyond ADMIT_CONCURRENT within ADMIT_WAIT_MS, instead of
leaving them in the listen backlog behind sync workers for as long as the queue takes. The command line wins over
these (`-w 2`, `-b`)."""

import os

wsgi_app = "safety_platform.wsgi"
bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "4"))
# Each thread holds one connection: in Django (at most ADMIT_CONCURRENT of them), waiting for a place (at most
# ADMIT_WAIT_MS), or reading a request and writing its answer. A thread that has been in Django keeps its own
# database connection (DB_CONN_MAX_AGE): at most workers x threads connections to PostgreSQL (64 by default).
threads = int(os.environ.get("WEB_THREADS", "16"))
timeout = 30
accesslog = "-"
