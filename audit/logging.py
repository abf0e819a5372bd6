"""One JSON object per log line, so log shippers can index the fields."""
import json
import logging


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry)


# Case data never reaches the logs -------------------------------------------------------------

import re  # noqa: E402

# A CRN in the usual form (a letter and six digits), wherever it appears in a logged address.
CRN_LIKE = re.compile(r"\b[A-Za-z]\d{6}\b")
PATH = re.compile(r"/[^\s\"'?#]*")
REDACTED = "[CRN]"


def redact_path(path: str) -> str:
    """The address with the case reference it names replaced, as the URL conf reads it."""
    try:
        from django.urls import resolve

        match = resolve(path)
    except Exception:  # noqa: BLE001 - not a page, or Django not ready: fall back on the form
        match = None
    if match is not None and match.kwargs.get("crn"):
        from urllib.parse import quote

        crn = str(match.kwargs["crn"])
        for form in {crn, quote(crn)}:
            path = path.replace(f"/{form}/", f"/{REDACTED}/")
    return CRN_LIKE.sub(REDACTED, path)


def redact(text: str) -> str:
    """Every address in a log message, redacted; query strings dropped (they may hold CRNs)."""
    text = re.sub(r"\?[^\s\"']*", "", text)
    return PATH.sub(lambda m: redact_path(m.group()), text)


class RedactCaseData(logging.Filter):
    """Rewrites each record's message so no case reference (nor query string) is written."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return True
        record.msg, record.args = redact(message), ()
        return True


try:  # gunicorn is installed for production; its access log gets the same redaction.
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger, with the path of every access-log line redacted."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            atoms["U"] = redact_path(atoms.get("U") or "")
            atoms["r"] = redact(atoms.get("r") or "")
            atoms["q"] = ""
            return atoms
