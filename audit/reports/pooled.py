"""Figures of an area (region, PDU, division) pooled across the inspections of the providers
beneath it.

A region audited PDU by PDU has no inspection of its own: its figures are the counts of the
latest published inspection of each provider beneath it in a period (or of every inspection,
when asked) added together, then divided, and rated by the same rules as one inspection
(docs/statistics.md, "Pooling"). Percentages are never averaged. Only inspections of one
framework version are pooled; a mix is refused with the versions named.

The counting is the roll-up's (`rollup_inspections`, which reads the maintained counts); this
module only adds the counts up per key question and focus measure.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from audit.models import Inspection, InspectionStatus, SampledCase
from audit.reports.rollup import rollup_inspections
from audit.reports.rollup_results import (
    FocusMeasureResult,
    KeyQuestionResult,
    ProviderRollup,
    StandardResult,
)
from cases.models import Provider
from cases.selectors import descendant_ids
from standards.models import Framework, RatedBy
from standards.rating import (
    RatingScheme,
    overall,
    rating_for,
    standard_rating,
    sufficiency,
    wilson_interval,
)


class MixedFrameworks(Exception):
    """The inspections to pool use more than one framework version."""

    def __init__(self, frameworks: list[Framework]):
        self.frameworks = frameworks
        names = " and ".join(str(f) for f in frameworks)
        super().__init__(
            f"The inspections in this period use different framework versions ({names}). "
            "Figures of different versions cannot be added together: choose one version."
        )


@dataclass(frozen=True)
class Contribution:
    """One provider's figures from one inspection, as pooled."""

    inspection: object
    result: ProviderRollup


@dataclass(frozen=True)
class AreaRollup:
    area: Provider | None  # None: every provider in the user's scope (the nation)
    framework: Framework | None
    scheme: RatingScheme | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    every_inspection: bool
    contributions: tuple[Contribution, ...]
    result: ProviderRollup | None  # None when nothing was inspected

    @property
    def inspections(self) -> list:
        """The inspections used, each once, in period order."""
        seen: dict[int, object] = {}
        for c in self.contributions:
            seen.setdefault(c.inspection.id, c.inspection)
        return sorted(seen.values(), key=lambda i: (i.period_end, i.id))

    def by_provider(self) -> dict[int, list[ProviderRollup]]:
        found: dict[int, list[ProviderRollup]] = defaultdict(list)
        for c in self.contributions:
            found[c.result.provider_id].append(c.result)
        return found


def _in_period(queryset, period_start, period_end):
    if period_start:
        queryset = queryset.filter(period_end__gte=period_start)
    if period_end:
        queryset = queryset.filter(period_end__lte=period_end)
    return queryset


def candidate_inspections(inspections, provider_ids, *, period_start=None, period_end=None):
    """Published inspections ending in the period with a provider (inspected or sampled from)
    among `provider_ids` (None: any)."""
    queryset = inspections.filter(status=InspectionStatus.PUBLISHED)
    if provider_ids is not None:
        queryset = queryset.filter(
            Q(
                id__in=Inspection.providers.through.objects.filter(
                    provider_id__in=provider_ids
                ).values("inspection_id")
            )
            | Q(
                id__in=SampledCase.objects.filter(provider_id__in=provider_ids).values(
                    "inspection_id"
                )
            )
        )
    return _in_period(queryset, period_start, period_end)


def frameworks_of(inspections) -> list[Framework]:
    return list(
        Framework.objects.filter(id__in=inspections.values("framework_id")).order_by(
            "code", "version"
        )
    )


def _counted(result: ProviderRollup) -> bool:
    return bool(result.reviews) or any(kq.applicable for kq in result.key_questions)


def _pooled_key_questions(results, template, scheme) -> list[KeyQuestionResult]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for result in results:
        for kq in result.key_questions:
            found = totals[kq.code]
            found[0] += kq.sufficient
            found[1] += kq.applicable
            found[2] += kq.not_applicable
    key_questions = []
    for kq in template.key_questions:
        sufficient, applicable, not_applicable = totals[kq.code]
        percentage = sufficiency(sufficient, applicable)
        interval = wilson_interval(sufficient, applicable)
        key_questions.append(
            KeyQuestionResult(
                code=kq.code,
                standard_code=kq.standard_code,
                wording=kq.wording,
                lens=kq.lens,
                sufficient=sufficient,
                applicable=applicable,
                not_applicable=not_applicable,
                percentage=percentage,
                ci_low=interval[0] if interval else None,
                ci_high=interval[1] if interval else None,
                rating=rating_for(percentage, scheme),
            )
        )
    return key_questions


def _pooled_standards(template, key_questions, scheme) -> list[StandardResult]:
    """Case-data standards at their weakest pooled key question; standards rated by judgement
    have no pooled rating (a lead rates one provider, not an area)."""
    by_code = {kq.code: kq for kq in key_questions}
    standards = []
    for s in template.standards:
        data_rating = None
        if s.rated_by == RatedBy.CASE_DATA:
            data_rating = standard_rating(
                [by_code[c].percentage for c in s.key_question_codes], scheme
            )
        standards.append(
            StandardResult(
                code=s.code,
                title=s.title,
                rated_by=s.rated_by,
                key_question_codes=s.key_question_codes,
                data_rating=data_rating,
                entered_rating=None,
                rationale="",
            )
        )
    return standards


def pool_results(results: list[ProviderRollup], scheme: RatingScheme, *, name: str, code=None):
    """One ProviderRollup of several of the same framework version: counts added, then rated."""
    template = results[0]
    key_questions = _pooled_key_questions(results, template, scheme)
    standards = _pooled_standards(template, key_questions, scheme)
    focus_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        for m in result.focus_measures:
            focus_totals[m.code][0] += m.numerator
            focus_totals[m.code][1] += m.denominator
    focus = tuple(
        FocusMeasureResult(m.code, m.label, *focus_totals[m.code]) for m in template.focus_measures
    )
    return ProviderRollup(
        provider_id=None,
        code=code,
        name=name,
        reviews=sum(r.reviews for r in results),
        key_questions=tuple(key_questions),
        standards=tuple(standards),
        focus_measures=focus,
        overall=overall([s.rating for s in standards], scheme),
    )


def providers_beneath(area, provider_ids, leave_out=frozenset()) -> set[int] | None:
    """The area and every provider beneath it, within the user's scope (None: every provider)."""
    beneath = descendant_ids([area.id]) if area is not None else None
    if provider_ids is not None:
        beneath = set(provider_ids) if beneath is None else beneath & set(provider_ids)
    if leave_out:
        if beneath is None:
            beneath = set(Provider.objects.exclude(id__in=leave_out).values_list("id", flat=True))
        else:
            beneath -= set(leave_out)
    return beneath


def _chosen(history, results, every_inspection: bool) -> tuple[Contribution, ...]:
    """Each provider's latest counted figures, or every inspection's."""
    chosen: dict = {}
    for inspection in history:  # oldest first: a later inspection replaces an earlier one
        for result in results[inspection.id].providers:
            if not _counted(result):
                continue
            key = (inspection.id, result.provider_id) if every_inspection else result.provider_id
            chosen[key] = Contribution(inspection=inspection, result=result)
    return tuple(
        sorted(chosen.values(), key=lambda c: (c.result.name.lower(), c.inspection.period_end))
    )


def area_rollup(
    area: Provider | None,
    *,
    inspections,
    provider_ids: set[int] | None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    every_inspection: bool = False,
    framework: Framework | None = None,
    leave_out: set[int] = frozenset(),
    focus_measures: bool = True,
    beneath: set[int] | None = None,
) -> AreaRollup:
    """The area's figures pooled from the providers beneath it (the area itself included).

    `inspections`: those the user may see; `provider_ids`: the user's scope (None: all);
    `leave_out`: providers not to count (a provider compared with the rest of its area).
    `beneath`: `providers_beneath(area, provider_ids, leave_out)`, when the caller has it.
    Raises MixedFrameworks when no `framework` is given and the inspections use several.
    """
    if beneath is None:
        beneath = providers_beneath(area, provider_ids, leave_out)
    queryset = candidate_inspections(
        inspections, beneath, period_start=period_start, period_end=period_end
    )
    if framework is not None:
        queryset = queryset.filter(framework=framework)
    history = list(queryset.order_by("period_end", "id"))
    framework_ids = {i.framework_id for i in history}
    if len(framework_ids) > 1:
        raise MixedFrameworks(
            list(Framework.objects.filter(id__in=framework_ids).order_by("code", "version"))
        )
    results = rollup_inspections(history, provider_ids=beneath, focus_measures=focus_measures)
    contributions = _chosen(history, results, every_inspection)
    scheme = results[history[-1].id].scheme if history else None
    if framework is None and history:
        framework = history[-1].framework
    pooled = None
    if contributions:
        pooled = pool_results(
            [c.result for c in contributions],
            scheme,
            name=area.name if area is not None else "All providers",
            code=area.code if area is not None else None,
        )
    return AreaRollup(
        area=area,
        framework=framework,
        scheme=scheme,
        period_start=period_start,
        period_end=period_end,
        every_inspection=every_inspection,
        contributions=contributions,
        result=pooled,
    )
