"""Log lines that a log shipper can index and that never carry case data.

- One JSON object per line (`JsonFormatter`), every value escaped, so no control character
  (a newline above all) can start a line of its own.
- No case reference (CRN) of any shape: a requested path is logged as the route it matched,
  with ids filled in and every other argument left as its placeholder
  (`/inspections/4/cases/<str:crn>/`); a path that matches no route keeps only the service's own
  route words (`/inspections/[redacted]/cases/[redacted]/`); query strings are dropped.
- The same for gunicorn's access log (`RedactingGunicornLogger`).
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache

REDACTED = "[redacted]"
# C0 and C1 control characters, DEL and the Unicode line and paragraph separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
PATH = re.compile(r"(?<![\w.])/[^\s\"'?#]*")  # an address, not the "/" of "HTTP/1.1"
QUERY = re.compile(r"\?[^\s\"']*")
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
ROUTE_WORD = re.compile(r"[A-Za-z][\w.-]*")
STATIC_WORDS = {"static", "assets"}  # whitenoise's prefixes, outside the URL conf


def json_text(value: str) -> str:
    """`value` as the inside of a JSON string: json.dumps writes ASCII only, escaping every
    control character (DEL and the C1 range among them)."""
    return json.dumps(value)[1:-1]


def escape_controls(text: str) -> str:
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


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
        return json.dumps(entry)  # ASCII only: every control character escaped


# Paths ---------------------------------------------------------------------------------------


def route_of(match) -> str:
    """The route a path matched: whole-number arguments (ids) filled in, every other argument
    (a CRN, a code) left as its placeholder, so nothing typed into the address is repeated."""
    route = REGEX_GROUP.sub(lambda m: f"<{m['name']}>", match.route)
    route = route.replace("^", "").replace("$", "")

    def fill(m):
        value = match.kwargs.get(m["name"])
        return str(value) if m["converter"] == "int" and isinstance(value, int) else m.group()

    return "/" + CONVERTER.sub(fill, route)


@lru_cache(maxsize=1)
def route_words() -> frozenset[str]:
    """Every literal word of the URL conf (`inspections`, `cases`, `check`, ...)."""
    from django.urls import URLResolver, get_resolver

    words = set(STATIC_WORDS)

    def walk(patterns):
        for pattern in patterns:
            for segment in str(pattern.pattern).split("/"):
                if ROUTE_WORD.fullmatch(segment):
                    words.add(segment)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)

    walk(get_resolver().url_patterns)
    return frozenset(words)


def loggable_path(path: str) -> str:
    """What a log line may say about a requested path (see the module's docstring)."""
    try:
        from django.urls import Resolver404, resolve

        try:
            return route_of(resolve(path))
        except Resolver404:
            words = route_words()
    except Exception:  # noqa: BLE001 - Django not ready, or a path it cannot even look up
        words = frozenset()
    return "/".join(s if s in words or not s else REDACTED for s in path.split("/"))


def redact(text: str) -> str:
    """Every address in a log message made loggable; query strings dropped (they may hold
    CRNs); control characters escaped."""
    text = QUERY.sub("", escape_controls(text))
    return PATH.sub(lambda m: loggable_path(m.group()), text)


class RedactCaseData(logging.Filter):
    """Rewrites each record's message so no case reference, query string or control character
    is written. Django's request records name their request: the argument that is its path
    becomes the loggable path; any other message is searched for addresses."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str) and isinstance(record.args, tuple):
            forms = {path, path.encode("unicode_escape").decode("ascii")}
            if any(arg in forms for arg in record.args):
                loggable = loggable_path(request.path_info)
                record.args = tuple(loggable if arg in forms else arg for arg in record.args)
                try:
                    record.msg, record.args = escape_controls(record.getMessage()), ()
                except Exception:  # noqa: BLE001 - a malformed record is left to the handler
                    pass
                return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is left to the handler
            return True
        record.msg, record.args = redact(message), ()
        return True


# gunicorn -------------------------------------------------------------------------------------

try:  # gunicorn is installed for production; its logs get the same treatment.
    from gunicorn.glogging import Logger as _GunicornLogger
    from gunicorn.glogging import SafeAtoms as _SafeAtoms
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class JsonAtoms(_SafeAtoms):
        """gunicorn's access-log values, each escaped as the inside of a JSON string (gunicorn
        itself only puts a backslash before double quotes)."""

        def __init__(self, atoms):
            dict.__init__(self)
            for key, value in atoms.items():
                self[key] = json_text(value) if isinstance(value, str) else value

    # The access-log values that hold nothing from the request but its method, path, protocol
    # and timings; headers, the environment, the referrer and the query string are left out.
    SAFE_ATOMS = {"h", "l", "t", "r", "s", "m", "U", "H", "b", "B", "a", "T", "D", "M", "L", "p"}

    class RedactServerMessages(RedactCaseData):
        """gunicorn's error log: its INFO lines are its own (the address it listens on, its
        workers) and are left whole; warnings, errors and debug lines may quote a request."""

        def filter(self, record):
            return record.levelno == logging.INFO or super().filter(record)

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger: access lines with the loggable path and JSON-escaped values;
        error-log messages that may quote a request redacted like the service's own."""

        atoms_wrapper_class = JsonAtoms

        def setup(self, cfg):
            super().setup(cfg)
            if not any(isinstance(f, RedactServerMessages) for f in self.error_log.filters):
                self.error_log.addFilter(RedactServerMessages())

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            atoms = {key: value for key, value in atoms.items() if key in SAFE_ATOMS}
            atoms["U"] = loggable_path(environ.get("PATH_INFO") or "/")
            atoms["r"] = f"{atoms.get('m')} {atoms['U']} {atoms.get('H')}"
            return atoms
