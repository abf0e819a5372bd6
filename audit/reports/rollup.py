"""The roll-up: counted judgements aggregated in the database, then rated by the framework's rules.

Everything here is a read. The database does the counting (one grouped query per kind of fact,
whatever the number of reviews); `standards.rating` turns the counts into percentages, intervals
and ratings. The results are plain dataclasses so that report pages, CSV/XLSX exports, the JSON
endpoint and the `rollup` command all show the same numbers.

Rules applied (docs/rating-rules.md):
- only reviews whose status is in COUNTED_REVIEW_STATUSES count;
- a moderation Resolution replaces the judgement it resolves (Coalesce(resolution, judgement));
  both rules are applied once, when a review's contribution is recorded (audit/counts/), and
  the roll-up reads the maintained counts: one small query whatever the number of reviews;
- not-applicable answers are left out of numerator and denominator;
- a case standard is rated at its weakest key question; a lead's override replaces that rating and
  is shown beside it; judgement-rated standards take the lead's rating;
- the overall score sums the rated standards; when some are missing it is partial and no overall
  rating is invented.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce

from audit.counts.focus_measures import FACT_MEASURES, PROMPT_MEASURES
from audit.counts.read import change_numbers, count_sums
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    CountKind,
    Inspection,
    Judgement,
    PublishedFigures,
    StandardJudgement,
)
from audit.reports import rollup_cache
from audit.reports.links import inspection_links
from audit.reports.rollup_results import (
    FocusMeasureResult,
    InspectionRollup,
    KeyQuestionResult,
    ProviderRollup,
    StandardResult,
    timeliness_results,
)
from cases.models import Provider
from standards.models import (
    Framework,
    JudgementValue,
    KeyQuestion,
    Prompt,
    RatedBy,
    Standard,
)
from standards.rating import (
    InvalidBands,
    Rating,
    RatingScheme,
    overall,
    rating_for,
    sufficiency,
    weakest_rating,
    wilson_interval,
)

SUFFICIENT = JudgementValue.SUFFICIENT.value
NOT_SUFFICIENT = JudgementValue.NOT_SUFFICIENT.value
NOT_APPLICABLE = JudgementValue.NOT_APPLICABLE.value
APPLICABLE_VALUES = (SUFFICIENT, NOT_SUFFICIENT)
COUNTED = [status.value for status in COUNTED_REVIEW_STATUSES]

# Breakdown cells with fewer applicable cases than this are flagged, not shown as percentages.
SMALL_CELL = 5


class RollupUnavailable(Exception):
    """The inspection's framework has no usable rating scheme, so nothing can be rated."""


def counted_judgements():
    """Judgements of reviews that count (submitted or moderated), read from the base tables:
    for what the maintained counts do not hold (filtered breakdowns, checks)."""
    return Judgement.objects.filter(review__status__in=COUNTED)


def effective_value():
    """A moderation resolution, where there is one, replaces the assessor's judgement."""
    return Coalesce("resolution__value", "value")


def sufficiency_counts(judgements, fields: list[str]) -> dict[tuple, dict]:
    """Sufficient, applicable and not-applicable counts per group of `fields`, in one query.

    Counts the effective value, Coalesce(resolution, judgement); not applicable is counted
    apart and left out of `applicable`.
    """
    rows = (
        judgements.annotate(effective=effective_value())
        .values(*fields)
        .annotate(
            sufficient=Count("effective", filter=Q(effective=SUFFICIENT)),
            applicable=Count("effective", filter=Q(effective__in=APPLICABLE_VALUES)),
            not_applicable=Count("effective", filter=Q(effective=NOT_APPLICABLE)),
        )
        .order_by()
    )
    return {
        tuple(row[f] for f in fields): {
            "sufficient": row["sufficient"],
            "applicable": row["applicable"],
            "not_applicable": row["not_applicable"],
        }
        for row in rows
    }


# --------------------------------------------------------------------------------------------
# The engine


@dataclass
class _FrameworkShape:
    framework: Framework
    scheme: RatingScheme
    standards: list[Standard]
    key_questions: list[KeyQuestion]
    prompt_codes: set[str] = field(default_factory=set)
    prompt_ids: dict[int, str] = field(default_factory=dict)  # of the prompt measures: id -> code
    timeliness: list = field(default_factory=list)  # the version's TimelinessMeasure rows
    # (sufficient, applicable) -> (percentage, ci low, ci high, rating): the rating rules are
    # pure functions of the counts, so each distinct pair is rated once per roll-up.
    rated: dict = field(default_factory=dict)

    def rate(self, sufficient: int, applicable: int) -> tuple:
        found = self.rated.get((sufficient, applicable))
        if found is None:
            percentage = sufficiency(sufficient, applicable)
            interval = wilson_interval(sufficient, applicable)
            found = (
                percentage,
                interval[0] if interval else None,
                interval[1] if interval else None,
                rating_for(percentage, self.scheme),
            )
            self.rated[(sufficient, applicable)] = found
        return found


def _framework_shapes(
    framework_ids: Iterable[int], *, timeliness: bool = True
) -> dict[int, _FrameworkShape]:
    frameworks = Framework.objects.filter(id__in=set(framework_ids)).prefetch_related(
        "rating_bands",
        "score_bands",
        *(["timeliness_measures"] if timeliness else []),
        Prefetch(
            "standards",
            queryset=Standard.objects.order_by("order", "code").prefetch_related(
                Prefetch("key_questions", queryset=KeyQuestion.objects.order_by("order", "code"))
            ),
        ),
    )
    shapes = {}
    for framework in frameworks:
        try:
            scheme = framework.rating_scheme()
        except InvalidBands as exc:
            raise RollupUnavailable(f"{framework} has no usable rating scheme: {exc}") from exc
        standards = list(framework.standards.all())
        shapes[framework.id] = _FrameworkShape(
            framework=framework,
            scheme=scheme,
            standards=standards,
            key_questions=[kq for s in standards for kq in s.key_questions.all()],
            timeliness=list(framework.timeliness_measures.all()) if timeliness else [],
        )
    prompt_codes = [m.prompt_code for m in PROMPT_MEASURES]
    for framework_id, prompt_id, code in Prompt.objects.filter(
        key_question__standard__framework_id__in=shapes, code__in=prompt_codes
    ).values_list("key_question__standard__framework_id", "id", "code"):
        shapes[framework_id].prompt_codes.add(code)
        shapes[framework_id].prompt_ids[prompt_id] = code
    return shapes


def in_scope(queryset, provider_field: str, provider_ids):
    if provider_ids is None:
        return queryset
    return queryset.filter(**{f"{provider_field}__in": provider_ids})


def _key_question_result(
    kq: KeyQuestion, counts: dict, shape: _FrameworkShape
) -> KeyQuestionResult:
    sufficient = counts.get("sufficient", 0)
    applicable = counts.get("applicable", 0)
    percentage, ci_low, ci_high, rating = shape.rate(sufficient, applicable)
    return KeyQuestionResult(
        code=kq.code,
        standard_code=kq.standard.code,
        wording=kq.wording,
        lens=kq.lens,
        sufficient=sufficient,
        applicable=applicable,
        not_applicable=counts.get("not_applicable", 0),
        percentage=percentage,
        ci_low=ci_low,
        ci_high=ci_high,
        rating=rating,
    )


def _focus_results(shape: _FrameworkShape, fact_counts: dict, prompt_counts: dict) -> list:
    focus = [
        FocusMeasureResult(
            m.code, m.label, fact_counts.get(f"{m.code}_n", 0), fact_counts.get(f"{m.code}_d", 0)
        )
        for m in FACT_MEASURES
    ]
    return focus + [
        FocusMeasureResult(m.code, m.label, *prompt_counts.get(m.prompt_code, (0, 0)))
        for m in PROMPT_MEASURES
        if m.prompt_code in shape.prompt_codes
    ]


def _provider_rollup(
    *,
    shape: _FrameworkShape,
    provider: Provider | None,
    reviews: int,
    kq_counts: dict,
    fact_counts: dict,
    prompt_counts: dict,
    entries: dict,
    focus_measures: bool = True,
) -> ProviderRollup:
    """Build one provider's (or the whole inspection's) results from the summed counts."""
    scheme = shape.scheme
    kq_results = [
        _key_question_result(kq, kq_counts.get(kq.id, {}), shape) for kq in shape.key_questions
    ]
    by_standard = defaultdict(list)
    for result in kq_results:
        by_standard[result.standard_code].append(result)
    standards = []
    for standard in shape.standards:
        results = by_standard.get(standard.code, [])
        data_rating = None
        if standard.rated_by == RatedBy.CASE_DATA:
            # Each key question's rating is its percentage's band (rated once, above).
            data_rating = weakest_rating(r.rating for r in results)
        entry = entries.get(standard.id)
        standards.append(
            StandardResult(
                code=standard.code,
                title=standard.title,
                rated_by=standard.rated_by,
                key_question_codes=tuple(r.code for r in results),
                data_rating=data_rating,
                entered_rating=Rating(entry[0]) if entry else None,
                rationale=entry[1] if entry else "",
            )
        )
    focus = (
        _focus_results(shape, fact_counts, prompt_counts)
        + timeliness_results(shape.timeliness, fact_counts)
        if focus_measures
        else []
    )
    return ProviderRollup(
        provider_id=provider.id if provider else None,
        code=provider.code if provider else None,
        name=provider.name if provider else "Whole inspection",
        reviews=reviews,
        key_questions=tuple(kq_results),
        standards=tuple(standards),
        focus_measures=tuple(focus),
        overall=overall([s.rating for s in standards], scheme),
    )


def _sum_into(target: dict, source: dict):
    for key, value in source.items():
        target[key] = target.get(key, 0) + value


@dataclass
class Counts:
    """What the roll-up is computed from, per (inspection id, provider id): the links (every
    provider inspected or sampled from, whatever the scope asked for), and the key-question,
    case-fact and prompt counts of counted reviews within the scope."""

    links: set = field(default_factory=set)
    key_questions: dict = field(default_factory=lambda: defaultdict(dict))
    facts: dict = field(default_factory=dict)
    prompts: dict = field(default_factory=lambda: defaultdict(dict))

    def merge(self, other: Counts) -> None:
        self.links |= other.links
        self.key_questions.update(other.key_questions)
        self.facts.update(other.facts)
        self.prompts.update(other.prompts)


def live_counts(
    ids: list[int],
    *,
    provider_ids: set[int] | None = None,
    focus_measures: bool = True,
    shapes: dict | None = None,
    links: set | None = None,
) -> Counts:
    """The counts from the reviews, judgements and answers held: a fixed number of queries
    (`links`: the inspections' providers, when already read)."""
    shapes = (
        shapes
        if shapes is not None
        else _framework_shapes(
            Inspection.objects.filter(id__in=ids).values_list("framework_id", flat=True),
            timeliness=False,
        )
    )
    counts = Counts()
    counts.links = inspection_links(ids) if links is None else links

    # Every count of the inspections: one query over the maintained counts (audit/counts/).
    prompt_codes = {pk: code for shape in shapes.values() for pk, code in shape.prompt_ids.items()}
    kinds = [CountKind.REVIEWS, CountKind.KEY_QUESTION]
    if focus_measures:
        kinds += [CountKind.FACT, CountKind.PROMPT]
    rows = count_sums(ids, kinds, provider_ids=provider_ids)
    for inspection_id, provider_id, kind, subject, _, fact, total, met, applicable, na in rows:
        key = (inspection_id, provider_id)
        if kind == CountKind.KEY_QUESTION:
            counts.key_questions[key][subject] = {
                "sufficient": met,
                "applicable": applicable,
                "not_applicable": na,
            }
        elif kind == CountKind.REVIEWS:
            counts.facts.setdefault(key, {})["reviews"] = total
        elif kind == CountKind.FACT:
            counts.facts.setdefault(key, {})[fact] = total
        elif subject in prompt_codes and applicable:
            counts.prompts[key][prompt_codes[subject]] = (met, applicable)
    for facts in counts.facts.values():
        facts.setdefault("reviews", 0)
        for m in FACT_MEASURES if focus_measures else ():
            facts.setdefault(f"{m.code}_n", 0)
            facts.setdefault(f"{m.code}_d", 0)
    return counts


def frozen_counts(ids: list[int], *, provider_ids: set[int] | None = None) -> Counts:
    """The counts kept in PublishedFigures for inspections whose case data was purged."""
    counts = Counts()
    for inspection_id, kept in PublishedFigures.objects.filter(inspection_id__in=ids).values_list(
        "inspection_id", "counts"
    ):
        for provider, held in kept.items():
            key = (inspection_id, int(provider))
            counts.links.add(key)
            if provider_ids is not None and key[1] not in provider_ids:
                continue
            counts.key_questions[key] = {
                int(kq_id): found for kq_id, found in held["key_questions"].items()
            }
            counts.facts[key] = {"reviews": held["reviews"], **held["facts"]}
            counts.prompts[key] = {code: tuple(pair) for code, pair in held["prompts"].items()}
    return counts


def rollup_inspections(
    inspections: Iterable[Inspection],
    *,
    provider_ids: set[int] | None = None,
    focus_measures: bool = True,
) -> dict[int, InspectionRollup]:
    """Roll up several inspections at once, in a fixed number of queries.

    `provider_ids` limits the results to those providers (None: all), for the user's scope.
    `focus_measures=False` leaves them out (empty), saving their work where a page has no use
    for them (trends, league tables).
    Providers listed are the inspection's providers and the providers of its sampled cases; one
    with no counted reviews is listed with every case standard not rated.
    """
    inspections = list(inspections)
    if not inspections:
        return {}
    ids = [i.id for i in inspections]
    live = [i.id for i in inspections if i.case_data_purged_at is None]
    purged = [i.id for i in inspections if i.case_data_purged_at is not None]
    frozen = frozen_counts(purged, provider_ids=provider_ids) if purged else Counts()
    links, listed, partial_scope = _listed(inspections, live, frozen, provider_ids)
    entries = _lead_entries(ids, provider_ids)
    keys = _cache_keys(
        [i for i in inspections if i.id in live], listed, entries, provider_ids, focus_measures
    )
    results = rollup_cache.get_many(keys)
    missing = [i for i in inspections if i.id not in results]
    if missing:
        shapes = _framework_shapes((i.framework_id for i in missing), timeliness=focus_measures)
        counts = live_counts(
            [i.id for i in missing if i.id in live],
            provider_ids=provider_ids,
            focus_measures=focus_measures,
            shapes=shapes,
            links=links,
        )
        counts.merge(frozen)
        built = {
            inspection.id: _inspection_rollup(
                inspection,
                shape=shapes[inspection.framework_id],
                providers=listed[inspection.id],
                counted=counts,
                entries=entries,
                focus_measures=focus_measures,
                partial=inspection.id in partial_scope,
                source=keys.get(inspection.id, ""),
            )
            for inspection in missing
        }
        rollup_cache.set_many(keys, built)
        results.update(built)
    return {inspection.id: results[inspection.id] for inspection in inspections}


def _listed(inspections, live, frozen, provider_ids):
    """The (inspection, provider) links in scope, each inspection's providers in report order,
    and the inspections some of whose providers are out of scope."""
    every = inspection_links(live) | frozen.links
    links = {(i, p) for i, p in every if provider_ids is None or p in provider_ids}
    providers = {
        p.id: p
        for p in Provider.objects.filter(id__in={p for _, p in links}).only("id", "code", "name")
    }
    listed = {
        inspection.id: sorted(
            (providers[p] for i, p in links if i == inspection.id), key=lambda p: (p.name, p.code)
        )
        for inspection in inspections
    }
    return links, listed, {i for i, p in every - links}


def _cache_keys(inspections, listed, entries, provider_ids, focus_measures) -> dict[int, str]:
    """Each inspection's key in the reports cache (rollup_cache): none inside a transaction."""
    if not inspections or not rollup_cache.usable():
        return {}
    numbers = change_numbers([i.id for i in inspections])
    scope = rollup_cache.scope_part(provider_ids)
    return {
        i.id: rollup_cache.key(
            "rollup",
            i.id,
            numbers[i.id],
            (i.title, i.status, i.period_start, i.period_end, i.framework_id),
            tuple((p.id, p.code, p.name) for p in listed[i.id]),
            tuple(
                (p.id, sorted(entries[(i.id, p.id)].items()))
                for p in listed[i.id]
                if (i.id, p.id) in entries
            ),
            scope,
            focus_measures,
        )
        for i in inspections
    }


def _lead_entries(ids: list[int], provider_ids: set[int] | None) -> dict:
    """Lead-entered ratings (judgement-rated standards and overrides), per (inspection,
    provider): standard id -> (rating, rationale)."""
    entries: dict = defaultdict(dict)
    for inspection_id, provider_id, standard_id, rating, rationale in in_scope(
        StandardJudgement.objects.filter(inspection_id__in=ids), "provider_id", provider_ids
    ).values_list("inspection_id", "provider_id", "standard_id", "rating", "rationale"):
        entries[(inspection_id, provider_id)][standard_id] = (rating, rationale)
    return entries


def _inspection_rollup(
    inspection, *, shape, providers, counted, entries, focus_measures, partial, source=""
) -> InspectionRollup:
    """One inspection's results: each provider's, and the whole inspection's from their sums."""
    per_provider = []
    whole_kq: dict = defaultdict(dict)
    whole_facts: dict = {}
    whole_prompts: dict = {}
    for provider in providers:
        key = (inspection.id, provider.id)
        facts = counted.facts.get(key, {})
        prompts = counted.prompts.get(key, {})
        per_provider.append(
            _provider_rollup(
                shape=shape,
                provider=provider,
                reviews=facts.get("reviews", 0),
                kq_counts=counted.key_questions.get(key, {}),
                fact_counts=facts,
                prompt_counts=prompts,
                entries=entries.get(key, {}),
                focus_measures=focus_measures,
            )
        )
        for kq_id, kq_counts in counted.key_questions.get(key, {}).items():
            _sum_into(whole_kq[kq_id], kq_counts)
        _sum_into(whole_facts, facts)
        for code, (yes, answered) in prompts.items():
            before = whole_prompts.get(code, (0, 0))
            whole_prompts[code] = (before[0] + yes, before[1] + answered)
    # Lead entries are per provider: the whole inspection has them only when it is one.
    whole_entries = entries.get((inspection.id, providers[0].id), {}) if len(providers) == 1 else {}
    whole = _provider_rollup(
        shape=shape,
        provider=None,
        reviews=whole_facts.get("reviews", 0),
        kq_counts=whole_kq,
        fact_counts=whole_facts,
        prompt_counts=whole_prompts,
        entries=whole_entries,
        focus_measures=focus_measures,
    )
    framework = shape.framework
    return InspectionRollup(
        inspection_id=inspection.id,
        title=inspection.title,
        status=inspection.status,
        period_start=inspection.period_start,
        period_end=inspection.period_end,
        framework_id=framework.id,
        framework_code=framework.code,
        framework_version=framework.version,
        framework_title=framework.title,
        scheme=shape.scheme,
        providers=tuple(per_provider),
        whole=whole,
        is_partial_scope=partial,
        source=source,
    )


def rollup(inspection: Inspection, *, provider_ids: set[int] | None = None) -> InspectionRollup:
    """The roll-up of one inspection (see rollup_inspections)."""
    return rollup_inspections([inspection], provider_ids=provider_ids)[inspection.id]
