"""Which providers each inspection lists: the ones inspected and the ones cases were sampled
from, read without reading every sampled case."""

from __future__ import annotations

from django.db import connections, router

from audit.models import Inspection, SampledCase

# The distinct providers of each inspection's sampled cases without reading every sampled case:
# one probe of the (inspection, provider) index per provider (a "loose index scan").
SAMPLED_PROVIDERS_SQL = """
WITH RECURSIVE walk(inspection_id, provider_id) AS (
    SELECT i, (SELECT MIN(s.provider_id) FROM audit_sampledcase s WHERE s.inspection_id = i)
    FROM unnest(%s::bigint[]) AS i
    UNION ALL
    SELECT w.inspection_id,
           (SELECT MIN(s.provider_id) FROM audit_sampledcase s
            WHERE s.inspection_id = w.inspection_id AND s.provider_id > w.provider_id)
    FROM walk w WHERE w.provider_id IS NOT NULL
)
SELECT inspection_id, provider_id FROM walk WHERE provider_id IS NOT NULL
"""


def sampled_providers(ids: list[int]) -> set[tuple[int, int]]:
    """(inspection id, provider id) of every provider cases were sampled from: one query,
    whose time does not grow with the number of sampled cases on PostgreSQL."""
    # The database the router reads sampled cases from (a report replica, where configured).
    database = connections[router.db_for_read(SampledCase)]
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute(SAMPLED_PROVIDERS_SQL, [list(ids)])
            return {(i, p) for i, p in cursor.fetchall()}
    return set(
        SampledCase.objects.filter(inspection_id__in=ids)
        .values_list("inspection_id", "provider_id")
        .distinct()
        .order_by()
    )


def inspection_links(ids: list[int]) -> set[tuple[int, int]]:
    """(inspection id, provider id) of every provider each inspection lists: two queries."""
    links = set(
        Inspection.providers.through.objects.filter(inspection_id__in=ids).values_list(
            "inspection_id", "provider_id"
        )
    )
    return links | sampled_providers(ids)
