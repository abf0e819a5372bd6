"""WSGI entry point used by gunicorn (`gunicorn audit.config.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audit.config.settings.production")

application = get_wsgi_application()
