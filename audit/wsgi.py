"""WSGI entry point used by gunicorn (`gunicorn audit.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audit.settings.production")

application = get_wsgi_application()
