"""A provider beside its region (without itself) and the nation, for the provider's page: each
key question and focus measure of its latest published inspection, the region's and the
nation's pooled on the same framework version, the differences and whether the provider lies
outside the 95% limits around each (audit/reports/beside.py)."""

from __future__ import annotations

from audit.reports.base import Column, Kind, Table
from audit.reports.beside import beside, figure_text
from audit.reports.funnel import figure_of, measure_choices
from audit.reports.pooled import AreaRollup, area_rollup, candidate_inspections, pool_results
from cases.models import Provider, ProviderType
from cases.selectors import descendant_ids


def region_of(provider: Provider) -> Provider | None:
    """The nearest region above the provider, else its parent; None at the top."""
    ancestor, first = provider.parent, provider.parent
    while ancestor is not None:
        if ancestor.type == ProviderType.REGION:
            return ancestor
        ancestor = ancestor.parent
    return first


def _columns(region: Provider | None) -> list[Column]:
    columns = [Column("measure", "Key question or focus measure"), Column("own", "This provider")]
    if region is not None:
        columns += [
            Column("region", f"{region.name} without this provider"),
            Column("region_difference", "Difference from the region (points)", Kind.INT),
            Column("region_outside", "Outside the region's 95% limits?"),
        ]
    return columns + [
        Column("nation", "All providers"),
        Column("nation_difference", "Difference from all providers (points)", Kind.INT),
        Column("nation_outside", "Outside the 95% limits of all providers?"),
    ]


def _compare(row: dict, prefix: str, own, other) -> None:
    found = beside(own, other)
    row[prefix] = figure_text(*other)
    row[f"{prefix}_difference"] = None if found.difference is None else round(found.difference, 1)
    row[f"{prefix}_outside"] = found.verdict


_NOTHING = object()  # a region none of whose other providers has a counted review


def _part(nation: AreaRollup, ids: set[int]):
    """The pooled figures of those providers of the roll-up whose ids are given, or None."""
    results = [c.result for c in nation.contributions if c.result.provider_id in ids]
    return pool_results(results, nation.scheme, name="") if results else None


def area_comparison(provider: Provider, *, inspections, provider_ids) -> Table | None:
    """None when the provider has no published inspection with counted reviews."""
    itself = descendant_ids([provider.id])
    latest = candidate_inspections(inspections, itself).order_by("-period_end", "-id").first()
    if latest is None:
        return None
    framework = latest.framework
    # One roll-up of every provider in scope; the provider, the rest of its region and all
    # providers are parts of it, pooled in memory.
    nation = area_rollup(
        None, inspections=inspections, provider_ids=provider_ids, framework=framework
    )
    own = _part(nation, itself)
    if own is None:
        return None
    region = region_of(provider)
    rest = None
    if region is not None:
        rest = _part(nation, descendant_ids([region.id]) - itself) or _NOTHING
    rows = []
    for code, label in measure_choices([own]):
        mine = figure_of(own, code)
        row = {"measure": label, "own": figure_text(*mine)}
        if rest is not None:
            _compare(row, "region", mine, figure_of(rest, code) if rest is not _NOTHING else (0, 0))
        _compare(row, "nation", mine, figure_of(nation.result, code))
        rows.append(row)
    return Table(
        slug="beside-area",
        caption=f"Beside its region and all providers: {framework}",
        columns=_columns(region),
        rows=rows,
        row_header="measure",
        description=(
            "This provider's latest published inspection beside the latest published inspection "
            "of every other provider of its region, and of all providers you can see, each "
            "added up as one figure. Outside the 95% limits: a difference larger than chance "
            "would explain for this provider's number of cases."
        ),
    )
