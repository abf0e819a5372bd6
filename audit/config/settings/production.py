"""Production: every secret and host from the environment, HTTPS everywhere."""

import os

from audit.config.settings.base import *  # noqa: F401,F403
from audit.config.settings.base import env_bool, env_list, require_secret_key

DEBUG = False
SECRET_KEY = require_secret_key(os.environ.get("DJANGO_SECRET_KEY", ""))
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers check health over plain HTTP, straight to each web process.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# gunicorn marks a request as HTTPS when a trusted proxy says so (DJANGO_TRUSTED_PROXIES, see
# audit/config/gunicorn_conf.py). Django's own reading of the header trusts whoever sends it, so
# it is only for a server that cannot check the sender, reached through the proxy alone.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Notification emails by SMTP (docs/operations.md, "Email").
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
