"""Uploaded caseload files kept between the preview and the confirmation.

The file is written to a private temporary directory under a random token; the session holds the
token with the file's SHA-256, so only the user who uploaded it can confirm it, and a file changed
on disk is refused. Files older than a few hours are swept away on the next upload.

Every web process must see the same directory (CASELOAD_UPLOAD_DIR; by default the system's
temporary directory), which holds on a single host; several hosts need a shared volume.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SESSION_KEY = "caseload_uploads"
MAX_AGE_SECONDS = 6 * 60 * 60
MAX_STAGED_PER_SESSION = 3


@dataclass(frozen=True)
class StagedUpload:
    token: str
    filename: str
    provider_code: str
    data: bytes


def upload_dir() -> Path:
    configured = getattr(settings, "CASELOAD_UPLOAD_DIR", None)
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "caseload-uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path:
    return upload_dir() / f"{token}.upload"


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in upload_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def stage(request, *, data: bytes, filename: str, provider_code: str = "") -> str:
    """Keep the file for confirmation; returns the token the confirm form carries."""
    _sweep()
    token = secrets.token_hex(16)
    descriptor = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    staged = dict(request.session.get(SESSION_KEY, {}))
    for old in list(staged)[:-(MAX_STAGED_PER_SESSION - 1) or None]:
        discard(request, old, staged=staged)
    staged[token] = {
        "filename": filename[:200],
        "provider": provider_code,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    request.session[SESSION_KEY] = staged
    return token


def staged_upload(request, token: str) -> StagedUpload | None:
    """The file this session staged under the token, unchanged; None otherwise."""
    meta = request.session.get(SESSION_KEY, {}).get(token)
    if meta is None or not token.isalnum():
        return None
    try:
        data = _path(token).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        return None
    return StagedUpload(token, meta["filename"], meta["provider"], data)


def discard(request, token: str, staged: dict | None = None) -> None:
    own = staged if staged is not None else dict(request.session.get(SESSION_KEY, {}))
    own.pop(token, None)
    if token.isalnum():
        try:
            _path(token).unlink()
        except OSError:
            pass
    if staged is None:
        request.session[SESSION_KEY] = own
