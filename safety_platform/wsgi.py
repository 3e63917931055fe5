from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from safety_platform.lib.env import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_platform.settings")
application = get_wsgi_application()
require_secret_key()  # a production server never runs on a built-in or empty key
