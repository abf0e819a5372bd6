"""Writing a validated caseload: look up the cases already held, then insert the new ones and
update the known ones in batches (PostgreSQL: one COPY into a temporary table and one upsert).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from .case_dates import CASE_DATE_FIELDS
from .models import Case

LOOKUP_CHUNK = 5_000
WRITE_BATCH = 2_000
UPDATED_FIELDS = [
    "provider",
    "sentence_type",
    "start_date",
    "rosh_level",
    "mappa_category",
    "mappa_level",
    "gender",
    "ethnicity",
    "age_band",
    "domestic_abuse_history",
    "child_safeguarding_concerns",
    "practitioner_grade",
    *CASE_DATE_FIELDS,
    "updated_at",
]


def _lookup_chunk() -> int:
    limit = connection.features.max_query_params
    return min(LOOKUP_CHUNK, limit - 10) if limit else LOOKUP_CHUNK


def existing_cases(crns: list[str]) -> dict[str, tuple[int, int]]:
    """CRN -> (case id, provider id) for the CRNs already held.

    One query on PostgreSQL (the CRNs go as one array parameter); elsewhere one per chunk of CRNs,
    within the backend's limit on query parameters.
    """
    found = {}
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT crn, id, provider_id FROM {quote(Case._meta.db_table)} "
                "WHERE crn = ANY(%s)",
                [crns],
            )
            return {crn: (pk, provider_id) for crn, pk, provider_id in cursor.fetchall()}
    chunk = _lookup_chunk()
    for start in range(0, len(crns), chunk):
        held = Case.objects.filter(crn__in=crns[start : start + chunk])
        for crn, pk, provider_id in held.values_list("crn", "id", "provider_id"):
            found[crn] = (pk, provider_id)
    return found


def write_cases(records: list[dict], existing: dict[str, tuple[int, int]]) -> None:
    """Insert the new cases and update the known ones; then bring in step what depends on the
    known ones (their characteristics may have changed)."""
    _write(records, existing)
    updated = [existing[r["crn"]][0] for r in records if r["crn"] in existing]
    if updated:
        after_cases_updated(case_ids=updated)


def after_cases_updated(*, case_ids: list[int]) -> None:
    """Call each of settings.CASE_UPDATE_HOOKS with the updated cases' ids, in the caller's
    transaction: the roll-up's counts (audit.counts.contribution.record_case_change) recount
    those cases' reviews. Named in settings because `cases` may not import `audit`."""
    for path in settings.CASE_UPDATE_HOOKS:
        import_string(path)(case_ids=case_ids)


def _write(records: list[dict], existing: dict[str, tuple[int, int]]) -> None:
    if connection.vendor == "postgresql":
        _copy_upsert(records)
        return
    cases = [Case(**record) for record in records]
    if connection.features.supports_update_conflicts_with_target:
        Case.objects.bulk_create(
            cases,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["crn"],
            update_fields=UPDATED_FIELDS,
        )
        return
    new, old = [], []
    for case in cases:
        if case.crn in existing:
            case.pk = existing[case.crn][0]
            old.append(case)
        else:
            new.append(case)
    Case.objects.bulk_create(new, batch_size=WRITE_BATCH)
    now = timezone.now()
    for case in old:
        case.updated_at = now
    Case.objects.bulk_update(old, UPDATED_FIELDS, batch_size=WRITE_BATCH)


def _copy_upsert(records: list[dict]) -> None:
    """PostgreSQL: COPY the rows into a scratch table, then one INSERT ... ON CONFLICT (crn).

    The same upsert bulk_create(update_conflicts=True) performs, without building a model
    instance and a bound parameter per value: 100,000 rows go in a few seconds, not tens.
    """
    quote = connection.ops.quote_name
    table = quote(Case._meta.db_table)
    staging = quote("caseload_import_rows")
    fields = [Case._meta.get_field(name) for name in ["crn", *UPDATED_FIELDS[:-1]]]
    columns = ", ".join(quote(field.column) for field in fields)
    updates = ", ".join(
        f"{quote(field.column)} = EXCLUDED.{quote(field.column)}"
        for field in fields[1:] + [Case._meta.get_field("updated_at")]
    )
    names = [field.name for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(
                    [
                        record["provider"].pk if name == "provider" else record[name]
                        for name in names
                    ]
                )
        now = timezone.now()
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {quote('created_at')}, {quote('updated_at')}) "
            f"SELECT {columns}, %s, %s FROM {staging} "
            f"ON CONFLICT ({quote('crn')}) DO UPDATE SET {updates}",
            [now, now],
        )
        cursor.execute(f"DROP TABLE {staging}")
