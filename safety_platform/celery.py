"""The Celery application; configuration comes from Django settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import beat_init, worker_init
from django.core.exceptions import ImproperlyConfigured

from safety_platform.lib.env import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_platform.settings")

# How every worker runs (runall, docker-compose, the tests): both queues (the sweep has its own), and without gossip,
# mingle and event heartbeats, which the platform does not use. Gossip's restart after a lost broker can fail inside
# kombu (`conninfo` None) and leave the consumer stopped; without it the worker reconnects on its own.
WORKER_ARGS = ("-Q", "celery,escalation", "--without-gossip", "--without-mingle", "--without-heartbeat")

app = Celery("safety_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_without_secret_key(**_kwargs) -> None:
    # Tasks sign and render links with the key: a worker or beat without one refuses to start, like the web server.
    # Celery logs and swallows an Exception raised by a signal handler, so the refusal leaves as SystemExit.
    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(f"ImproperlyConfigured: {error}") from error
