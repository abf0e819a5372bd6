"""Progress of long work, told the same way wherever the work runs.

The work calls `progress.phase("Checking rows", total=100_000)` then `progress.advance()` per row
(or `progress.update(done)`); whoever runs it decides where the figures go:

- `JobProgress` (a background job) writes them to the job's row, at most every half second, so
  a progress page can show them. Writes made while the work's own transaction is open go through
  a connection of their own on PostgreSQL, so they are seen at once and never rolled back with
  the work; on SQLite (the quick start), whose writers lock the whole file, they wait for the
  transaction to end.
- `TerminalProgress` (a management command) draws a bar on the terminal with tqdm.
- `NullProgress` (a test, or work started from code) tells nobody.
"""

from __future__ import annotations

import sys
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone

WRITE_EVERY = 0.5  # seconds between writes of the figures to a job's row


class Progress:
    """The interface the work sees; this one tells nobody."""

    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def update(self, done: int) -> None:
        pass

    def close(self) -> None:
        pass


NullProgress = Progress


class TerminalProgress(Progress):
    """A tqdm bar per phase on standard error (or the stream given)."""

    def __init__(self, stream=None, disable: bool = False):
        self.stream = stream or sys.stderr
        # Only a terminal gets a bar: a log or a pipe would fill with its redrawings.
        isatty = getattr(self.stream, "isatty", None)
        self.disable = disable or not (isatty and isatty())
        self.bar = None

    def phase(self, name: str, total: int | None = None) -> None:
        from tqdm import tqdm

        self.close()
        self.bar = tqdm(
            total=total,
            desc=name,
            unit=" rows",
            file=self.stream,
            disable=self.disable,
            dynamic_ncols=True,
            mininterval=0.2,
        )

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def update(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class JobProgress(Progress):
    """Figures written to a job's row, throttled; a failed write is skipped, never fatal."""

    def __init__(self, job_id: int, clock=time.monotonic):
        self.job_id = job_id
        self.clock = clock
        self.name = ""
        self.total: int | None = None
        self.done = 0
        self.written_at = float("-inf")
        self.side = None  # a connection of its own, opened when first needed

    def phase(self, name: str, total: int | None = None) -> None:
        self.name, self.total, self.done = name[:100], total, 0
        self.write(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.clock() - self.written_at >= WRITE_EVERY:
            self.write()

    def update(self, done: int) -> None:
        self.done = done
        if self.clock() - self.written_at >= WRITE_EVERY:
            self.write()

    def write(self, force: bool = False) -> None:
        from .models import Job

        self.written_at = self.clock()
        total = self.total if self.total is None else max(self.total, self.done)
        values = {
            "phase": self.name,
            "done": self.done,
            "total": total,
            "heartbeat_at": timezone.now(),
        }
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id).update(**values)
            return
        if connection.vendor != "postgresql":
            return  # SQLite: the figures wait for the work's transaction to end
        try:
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = Job._meta.db_table
            with self.side.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{table}" SET phase = %s, done = %s, total = %s, heartbeat_at = %s '
                    "WHERE id = %s",
                    [
                        values["phase"],
                        values["done"],
                        values["total"],
                        values["heartbeat_at"],
                        self.job_id,
                    ],
                )
        except DatabaseError:
            pass  # progress is a courtesy: the work goes on without it

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
