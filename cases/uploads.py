"""Uploaded caseload files kept between the preview and the confirmation.

The file is written under a random token to the project's private folder CASELOAD_UPLOAD_DIR
(var/uploads by default: a folder only the service's user may enter, 0700, holding files only it
may read, 0600), never the system's shared temporary folder. The session holds the token with
the file's SHA-256, so only the user who uploaded it can confirm it, and a file changed on disk
is refused.

A confirmation first claims the file by renaming it, which the file system does for one caller
only: of several confirmations sent at once (a double click, a resent form) one imports and the
others find nothing to confirm. The file is removed when the import ends, when the user cancels,
and once it is older than CASELOAD_UPLOAD_MAX_AGE: each upload sweeps the folder, and so does
`manage.py purge_case_data`.

Every web process must see the same folder, which holds on a single host; several hosts need a
shared volume.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SESSION_KEY = "caseload_uploads"
MAX_STAGED_PER_SESSION = 3
STAGED = ".upload"
CLAIMED = ".claimed"


@dataclass(frozen=True)
class StagedUpload:
    token: str
    filename: str
    provider_code: str
    data: bytes


def upload_dir() -> Path:
    """The private folder, made (or narrowed) to 0700 before anything is written to it."""
    path = Path(settings.CASELOAD_UPLOAD_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)
    return path


def _path(token: str, suffix: str = STAGED) -> Path:
    return upload_dir() / f"{token}{suffix}"


def sweep(*, now: float | None = None) -> int:
    """Remove staged and claimed files older than CASELOAD_UPLOAD_MAX_AGE; returns how many."""
    cutoff = (now or time.time()) - settings.CASELOAD_UPLOAD_MAX_AGE
    removed = 0
    for path in upload_dir().iterdir():
        if path.suffix not in (STAGED, CLAIMED):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            pass  # gone already: another process swept it or claimed it
    return removed


def stage(request, *, data: bytes, filename: str, provider_code: str = "") -> str:
    """Keep the file for confirmation; returns the token the confirm form carries."""
    sweep()
    token = secrets.token_hex(16)
    descriptor = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    staged = dict(request.session.get(SESSION_KEY, {}))
    for old in list(staged)[: -(MAX_STAGED_PER_SESSION - 1) or None]:
        discard(request, old, staged=staged)
    staged[token] = {
        "filename": filename[:200],
        "provider": provider_code,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    request.session[SESSION_KEY] = staged
    return token


def is_staged(request, token: str) -> bool:
    """Whether this session staged an upload under the token (confirmed or not yet)."""
    return token in request.session.get(SESSION_KEY, {})


def claim(request, token: str) -> StagedUpload | None:
    """The file this session staged under the token, unchanged, now claimed by this request
    alone; None if there is none, it changed, or another request claimed it first.

    The caller imports it and then calls `release`.
    """
    meta = request.session.get(SESSION_KEY, {}).get(token)
    if meta is None or not token.isalnum():
        return None
    claimed = _path(token, CLAIMED)
    try:
        os.rename(_path(token), claimed)  # atomic: one caller wins
        data = claimed.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        release(request, token)
        return None
    return StagedUpload(token, meta["filename"], meta["provider"], data)


def release(request, token: str) -> None:
    """Forget a claimed upload: its file and the session's note of it."""
    discard(request, token, suffixes=(CLAIMED,))


def discard(
    request, token: str, staged: dict | None = None, suffixes: tuple[str, ...] = (STAGED, CLAIMED)
) -> None:
    """Remove an upload (cancelled, superseded or done) from the folder and the session."""
    own = staged if staged is not None else dict(request.session.get(SESSION_KEY, {}))
    own.pop(token, None)
    if token.isalnum():
        for suffix in suffixes:
            try:
                _path(token, suffix).unlink()
            except OSError:
                pass
    if staged is None:
        request.session[SESSION_KEY] = own
