"""Breakdowns of every key question by case characteristics (sentence type, RoSH level, gender,
practitioner grade), counted in the database like the roll-up itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from audit.counts.read import count_sums, count_totals
from audit.models import CountKind, Inspection, PublishedFigures
from audit.reports import rollup_cache
from audit.reports.rollup import (
    SMALL_CELL,
    counted_judgements,
    in_scope,
    sufficiency_counts,
)
from audit.reports.rollup_results import KeyQuestionResult, whole_percent
from cases.models import Gender, PractitionerGrade, Provider, RoshLevel, SentenceType
from standards.models import KeyQuestion
from standards.rating import sufficiency


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    path: str  # lookup from Judgement to the value broken down by
    label_path: str | None = None  # lookup to a display label, where the value is a code
    choices: tuple = ()


CASE = "review__sampled_case__case__"


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("rosh_level", "RoSH level", CASE + "rosh_level", choices=tuple(RoshLevel.choices)),
    Dimension(
        "sentence_type",
        "Sentence type",
        CASE + "sentence_type",
        choices=tuple(SentenceType.choices),
    ),
    Dimension("gender", "Gender", CASE + "gender", choices=tuple(Gender.choices)),
    Dimension("ethnicity", "Ethnicity", CASE + "ethnicity"),
    Dimension(
        "practitioner_grade",
        "Practitioner grade",
        CASE + "practitioner_grade",
        choices=tuple(PractitionerGrade.choices),
    ),
    Dimension(
        "provider",
        "Provider",
        "review__sampled_case__provider__code",
        label_path="review__sampled_case__provider__name",
    ),
)


DIMENSIONS_BY_KEY = {d.key: d for d in DIMENSIONS}


@dataclass(frozen=True)
class BreakdownCell:
    sufficient: int
    applicable: int

    @property
    def is_small(self) -> bool:
        return self.applicable < SMALL_CELL

    @property
    def percentage(self) -> float | None:
        """None for small cells: too few cases to show a percentage."""
        if self.is_small:
            return None
        return sufficiency(self.sufficient, self.applicable)

    @property
    def percent_display(self) -> int | None:
        return whole_percent(self.percentage)

    @property
    def text(self) -> str:
        if self.applicable == 0:
            return "no cases"
        if self.is_small:
            return f"fewer than {SMALL_CELL} cases"
        return f"{self.percent_display}% ({self.sufficient} of {self.applicable})"


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    wording: str
    cells: tuple[BreakdownCell, ...]


@dataclass(frozen=True)
class Breakdown:
    dimension: Dimension
    columns: tuple[tuple[str, str], ...]  # (value, label)
    rows: tuple[BreakdownRow, ...]


def breakdowns(
    inspection: Inspection,
    *,
    key_questions: Iterable[KeyQuestion | KeyQuestionResult],
    provider_ids: set[int] | None = None,
    filters: Q | None = None,
    dimensions: Iterable[Dimension] = DIMENSIONS,
    kept_as: str = "",
) -> list[Breakdown]:
    """Every key question's sufficiency broken down by each dimension: one query each.

    `filters` is a Q on Judgement narrowing the cases (e.g. only licence cases). `kept_as`: the
    `source` of the inspection's roll-up, when it was kept (rollup_cache): a breakdown counts
    the same reviews, so it is kept beside it.
    """
    key_questions = list(key_questions)
    return rollup_cache.beside_each(
        kept_as,
        dimensions,
        lambda d: _breakdown(inspection, d, key_questions, provider_ids, filters),
        "breakdown",
        rollup_cache.scope_part(provider_ids),
        repr(filters),
        tuple(kq.code for kq in key_questions),
    )


def _breakdown(inspection, dimension, key_questions, provider_ids, filters) -> Breakdown:
    """One dimension's breakdown: one query."""
    counts = {}
    labels = {}
    for key, found in _breakdown_counts(inspection, dimension, provider_ids, filters):
        value, code = key[0] or "", key[1]
        before = counts.get((value, code), BreakdownCell(0, 0))
        counts[(value, code)] = BreakdownCell(
            before.sufficient + found["sufficient"], before.applicable + found["applicable"]
        )
        if dimension.label_path:
            labels[value] = key[2]
    columns = breakdown_columns(dimension, {value for value, _ in counts}, labels)
    rows = [
        BreakdownRow(
            code=kq.code,
            wording=kq.wording,
            cells=tuple(counts.get((value, kq.code), BreakdownCell(0, 0)) for value, _ in columns),
        )
        for kq in key_questions
    ]
    return Breakdown(dimension=dimension, columns=tuple(columns), rows=tuple(rows))


def breakdown_columns(dimension: Dimension, present: set, labels: dict) -> list[tuple[str, str]]:
    """The (value, label) columns of the values `present`: in the order of the dimension's
    choices, else by label (`labels`: value -> label, where the dimension has a label path)."""
    if dimension.choices:
        known = dict(dimension.choices)
        order = [v for v, _ in dimension.choices if v in present]
        order += sorted(present - set(known))
        return [(v, known.get(v) or v or "Not recorded") for v in order]
    if dimension.label_path:
        return sorted(((v, labels[v]) for v in present), key=lambda c: (c[1], c[0]))
    return [(v, v or "Not recorded") for v in sorted(present)]


def kept_breakdowns(inspection) -> dict:
    """The breakdowns kept in PublishedFigures when the inspection's case data was purged."""
    return (
        PublishedFigures.objects.filter(inspection=inspection)
        .values_list("breakdowns", flat=True)
        .first()
        or {}
    )


def _breakdown_counts(inspection, dimension, provider_ids, filters):
    """((value, key question code[, label]), counts) for one dimension, from the judgements held
    or, once the case data is purged, from the figures kept (which cannot be filtered)."""
    if inspection.case_data_purged_at is not None:
        if filters is not None:
            return
        kept = kept_breakdowns(inspection)
        for provider, value, label, code, sufficient, applicable in kept.get(dimension.key, []):
            if provider_ids is None or provider in provider_ids:
                yield (value, code, label), {"sufficient": sufficient, "applicable": applicable}
        return
    if filters is None:
        yield from _counted_breakdown(inspection, dimension, provider_ids)
        return
    # Filtered: the counts are not kept per filter, so these read the judgements.
    base = in_scope(counted_judgements(), "review__sampled_case__provider_id", provider_ids).filter(
        filters, review__sampled_case__inspection_id=inspection.id
    )
    yield from sufficiency_counts(base, _breakdown_group(dimension)).items()


def _counted_breakdown(inspection, dimension, provider_ids):
    """((value, key question code[, label]), counts) from the maintained counts: one query, and
    one for the key questions' codes (and the providers' names, by provider)."""
    by_provider = dimension.key == "provider"
    kind = CountKind.KEY_QUESTION if by_provider else CountKind.BREAKDOWN
    rows = list(
        count_sums(
            [inspection.id],
            [kind],
            provider_ids=provider_ids,
            dimension=None if by_provider else dimension.key,
            by_provider=by_provider,
        )
    )
    codes = dict(
        KeyQuestion.objects.filter(id__in={row[-7] for row in rows}).values_list("id", "code")
    )
    if not by_provider:
        for _, _, subject, dimension_value, _, _, sufficient, applicable, _ in rows:
            yield (
                (dimension_value, codes[subject]),
                {
                    "sufficient": sufficient,
                    "applicable": applicable,
                },
            )
        return
    providers = {
        pk: (code, name)
        for pk, code, name in Provider.objects.filter(id__in={row[1] for row in rows}).values_list(
            "id", "code", "name"
        )
    }
    for _, provider_id, _, subject, _, _, _, sufficient, applicable, _ in rows:
        code, name = providers[provider_id]
        yield (code, codes[subject], name), {"sufficient": sufficient, "applicable": applicable}


def _breakdown_group(dimension: Dimension) -> list[str]:
    group = [dimension.path, "key_question__code"]
    if dimension.label_path:
        group.append(dimension.label_path)
    return group


def breakdown_counts_by_provider(inspection) -> dict[str, list]:
    """Every dimension's counts per provider, value and key question, for PublishedFigures:
    one query per dimension."""
    kept = {}
    for dimension in DIMENSIONS:
        rows = []
        for provider_id in _providers_counted(inspection):
            for key, found in _counted_breakdown(inspection, dimension, {provider_id}):
                rows.append(
                    [
                        provider_id,
                        key[0],
                        key[2] if dimension.label_path else None,
                        key[1],
                        found["sufficient"],
                        found["applicable"],
                    ]
                )
        kept[dimension.key] = sorted(rows, key=str)
    return kept


def _providers_counted(inspection) -> list[int]:
    return sorted({row[1] for row in count_totals([inspection.id], [CountKind.REVIEWS])})
