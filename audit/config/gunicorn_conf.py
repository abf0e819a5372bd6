"""gunicorn settings for production: `gunicorn -c audit/config/gunicorn_conf.py "
"audit.config.wsgi`."""

import multiprocessing
import os

# Only the reverse proxy on this host reaches the service, unless GUNICORN_BIND says otherwise.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# X-Forwarded-Proto is believed (and the request taken as HTTPS) only from the proxies named in
# DJANGO_TRUSTED_PROXIES, the list the settings use for X-Forwarded-For; unset, from nobody.
forwarded_allow_ips = os.environ.get("DJANGO_TRUSTED_PROXIES", "")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
accesslog = "-"
errorlog = "-"
# One JSON object per request line; no query strings, which may carry case references, and
# the path's CRN redacted (audit.config.logging.RedactingGunicornLogger).
logger_class = "audit.config.logging.RedactingGunicornLogger"
access_log_format = (
    '{"time": "%(t)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(B)s", "duration_ms": %(M)s, "remote": "%(h)s"}'
)
