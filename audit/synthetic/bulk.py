"""Rows written in bulk with their ids reserved up front: COPY on PostgreSQL, executemany
elsewhere. Used by the national data set, whose millions of rows would take far too long
through the ORM."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable

from django.db import DatabaseError, connection, transaction

Progress = Callable[[str], None]


class BulkWriter:
    """Ids reserved up front and rows written in bulk: COPY on PostgreSQL, executemany elsewhere.

    Reserving the ids lets related rows (a review's answers, a judgement's resolution) be
    written without reading anything back.
    """

    def __init__(self, progress: Progress):
        self.pg = connection.vendor == "postgresql"
        self.ops = connection.ops
        self.progress = progress
        self.started = time.perf_counter()

    def skip_row_triggers(self) -> bool:
        """Write this transaction's rows without PostgreSQL's row triggers, so millions of
        foreign-key checks are not queued for the commit, as `pg_restore --disable-triggers`
        does. The rows are consistent by construction (ids reserved, then referenced); at the
        sizes the tests build, every key is checked. Needs a superuser: False otherwise."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            return False
        return True

    def reserve(self, model, count: int) -> int:
        """The first of `count` consecutive ids no other writer will use."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if not self.pg:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
                return cursor.fetchone()[0]
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first

    def when(self, value: datetime.datetime):
        return self.ops.adapt_datetimefield_value(value)

    def day(self, value: datetime.date):
        return self.ops.adapt_datefield_value(value)

    def write(
        self,
        model_or_table,
        columns: list[str],
        rows: Iterable[tuple],
        *,
        total: int = 0,
        label: str = "",
    ) -> int:
        table = (
            model_or_table if isinstance(model_or_table, str) else (model_or_table._meta.db_table)
        )
        names = ", ".join(f'"{c}"' for c in columns)
        started, written, step = time.perf_counter(), 0, max(total // 5, 1)
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                        if total >= 500_000 and written % step == 0:
                            self.progress(f"    {label}: {written:,} of {total:,}")
            else:
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(columns))})'
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 5000:
                        cursor.executemany(sql, batch)
                        written += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    written += len(batch)
        if label:
            self.progress(
                f"  {label}: {written:,} written in "
                f"{time.perf_counter() - started:.1f} s "
                f"({time.perf_counter() - self.started:.0f} s so far)"
            )
        return written
