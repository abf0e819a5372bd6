"""Test settings: DATABASE_URL decides the database (SQLite in memory when unset)."""

from audit.config.settings.base import *  # noqa: F401,F403
from audit.config.settings.dev import STORAGES, WHITENOISE_USE_FINDERS  # noqa: F401

DEBUG = False
SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
WHITENOISE_AUTOREFRESH = True
