"""The WSGI application (gunicorn serves `dashboard.wsgi`); it refuses to start while a system check fails."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

application = get_wsgi_application()

from dashboard.checks import stop_on_errors  # noqa: E402 (needs the apps loaded)

stop_on_errors()
