"""The roll-up: counted judgements aggregated in the database, then rated by the framework's rules.

Everything here is a read. The database does the counting (one grouped query per kind of fact,
whatever the number of reviews); `standards.rating` turns the counts into percentages, intervals
and ratings. The results are plain dataclasses so that report pages, CSV/XLSX exports, the JSON
endpoint and the `rollup` command all show the same numbers.

Rules applied (docs/rating-rules.md):
- only reviews whose status is in COUNTED_REVIEW_STATUSES count;
- a moderation Resolution replaces the judgement it resolves (Coalesce(resolution, judgement));
  both rules are held on each judgement as `rollup_value` (blank while its review does not
  count), kept in step by audit.models.refresh_counted, so the key-question aggregate reads
  the judgement table alone;
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

from django.db.models import Case, Count, F, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce

from audit.models import (
    COUNTED_REVIEW_STATUSES,
    CaseReview,
    Inspection,
    Judgement,
    PromptAnswer,
    PublishedFigures,
    SampledCase,
    StandardJudgement,
)
from audit.reports.focus_measures import FACT_MEASURES, PROMPT_MEASURES
from audit.reports.rollup_results import (
    FocusMeasureResult,
    InspectionRollup,
    KeyQuestionResult,
    ProviderRollup,
    StandardResult,
)
from cases.models import Provider
from standards.models import (
    Framework,
    JudgementValue,
    KeyQuestion,
    Prompt,
    PromptValue,
    RatedBy,
    Standard,
)
from standards.rating import (
    InvalidBands,
    Rating,
    RatingScheme,
    overall,
    rating_for,
    standard_rating,
    sufficiency,
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
    """Judgements of reviews that count (submitted or moderated)."""
    return Judgement.objects.exclude(rollup_value="")


def effective_value():
    """A moderation resolution, where there is one, replaces the assessor's judgement: the
    judgement's `rollup_value` holds Coalesce(resolution, judgement) while its review counts."""
    return F("rollup_value")


def rollup_copy_mismatches(judgements=None, reviews=None, answers=None) -> list[tuple]:
    """Reviews, judgements and prompt answers whose roll-up copy differs from the rows it is
    derived from: always none. For tests, benchmarks and operational checks.

    Each is (kind, id, copy held, copy derived): for a judgement or prompt answer (inspection,
    provider, value counted), derived from the sampled case, the review's status and any
    resolution; for a review (inspection, provider) of its sampled case.
    """
    reviews = CaseReview.objects.all() if reviews is None else reviews
    review_rows = reviews.values_list(
        "pk",
        "rollup_inspection_id",
        "rollup_provider_id",
        "sampled_case__inspection_id",
        "sampled_case__provider_id",
    )
    found = [
        ("review", row[0], row[1:3], row[3:])
        for row in review_rows.iterator()
        if row[1:3] != row[3:]
    ]
    judgements = Judgement.objects.all() if judgements is None else judgements
    rows = judgements.annotate(
        derived_inspection=F("review__sampled_case__inspection_id"),
        derived_provider=F("review__sampled_case__provider_id"),
        derived_value=Case(
            When(review__status__in=COUNTED, then=Coalesce("resolution__value", "value")),
            default=Value(""),
        ),
    ).values_list(
        "pk",
        "rollup_inspection_id",
        "rollup_provider_id",
        "rollup_value",
        "derived_inspection",
        "derived_provider",
        "derived_value",
    )
    found += [
        ("judgement", row[0], row[1:4], row[4:]) for row in rows.iterator() if row[1:4] != row[4:]
    ]
    answers = PromptAnswer.objects.all() if answers is None else answers
    rows = answers.annotate(
        derived_inspection=F("review__sampled_case__inspection_id"),
        derived_provider=F("review__sampled_case__provider_id"),
        derived_value=Case(When(review__status__in=COUNTED, then=F("value")), default=Value("")),
    ).values_list(
        "pk",
        "rollup_inspection_id",
        "rollup_provider_id",
        "rollup_value",
        "derived_inspection",
        "derived_provider",
        "derived_value",
    )
    return found + [
        ("prompt answer", row[0], row[1:4], row[4:])
        for row in rows.iterator()
        if row[1:4] != row[4:]
    ]


def sufficiency_counts(judgements, fields: list[str]) -> dict[tuple, dict]:
    """Sufficient, applicable and not-applicable counts per group of `fields`, in one query.

    Counts the effective value, Coalesce(resolution, judgement); not applicable is counted
    apart and left out of `applicable`.
    """
    rows = (
        judgements.annotate(effective=effective_value())
        .values(*fields)
        .annotate(  # counting the value itself: nothing outside the roll-up index is read
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


def _framework_shapes(framework_ids: Iterable[int]) -> dict[int, _FrameworkShape]:
    frameworks = Framework.objects.filter(id__in=set(framework_ids)).prefetch_related(
        "rating_bands",
        "score_bands",
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


def _key_question_result(kq: KeyQuestion, counts: dict, scheme: RatingScheme) -> KeyQuestionResult:
    sufficient = counts.get("sufficient", 0)
    applicable = counts.get("applicable", 0)
    percentage = sufficiency(sufficient, applicable)
    interval = wilson_interval(sufficient, applicable)
    return KeyQuestionResult(
        code=kq.code,
        standard_code=kq.standard.code,
        wording=kq.wording,
        lens=kq.lens,
        sufficient=sufficient,
        applicable=applicable,
        not_applicable=counts.get("not_applicable", 0),
        percentage=percentage,
        ci_low=interval[0] if interval else None,
        ci_high=interval[1] if interval else None,
        rating=rating_for(percentage, scheme),
    )


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
        _key_question_result(kq, kq_counts.get(kq.id, {}), scheme) for kq in shape.key_questions
    ]
    by_standard = defaultdict(list)
    for result in kq_results:
        by_standard[result.standard_code].append(result)
    standards = []
    for standard in shape.standards:
        results = by_standard.get(standard.code, [])
        data_rating = None
        if standard.rated_by == RatedBy.CASE_DATA:
            data_rating = standard_rating([r.percentage for r in results], scheme)
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
    focus = [
        FocusMeasureResult(
            m.code, m.label, fact_counts.get(f"{m.code}_n", 0), fact_counts.get(f"{m.code}_d", 0)
        )
        for m in FACT_MEASURES
    ]
    focus += [
        FocusMeasureResult(m.code, m.label, *prompt_counts.get(m.prompt_code, (0, 0)))
        for m in PROMPT_MEASURES
        if m.prompt_code in shape.prompt_codes
    ]
    if not focus_measures:
        focus = []
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
) -> Counts:
    """The counts from the reviews, judgements and answers held: a fixed number of queries."""
    shapes = (
        shapes
        if shapes is not None
        else _framework_shapes(
            Inspection.objects.filter(id__in=ids).values_list("framework_id", flat=True)
        )
    )
    counts = Counts()
    # Providers of each inspection: the ones inspected and the ones cases were sampled from.
    counts.links = set(
        Inspection.providers.through.objects.filter(inspection_id__in=ids).values_list(
            "inspection_id", "provider_id"
        )
    )
    counts.links |= set(
        SampledCase.objects.filter(inspection_id__in=ids)
        .values_list("inspection_id", "provider_id")
        .distinct()
        .order_by()
    )

    # Key-question counts per inspection, provider and key question: the one big aggregate.
    grouped = sufficiency_counts(
        in_scope(counted_judgements(), "rollup_provider_id", provider_ids).filter(
            rollup_inspection_id__in=ids
        ),
        ["rollup_inspection_id", "rollup_provider_id", "key_question_id"],
    )
    for (inspection_id, provider_id, kq_id), found in grouped.items():
        counts.key_questions[(inspection_id, provider_id)][kq_id] = found

    # Counted reviews and the case-fact focus measures per inspection and provider.
    fact_aggregates = {"reviews": Count("id")}
    for m in FACT_MEASURES if focus_measures else ():
        fact_aggregates[f"{m.code}_n"] = Count("id", filter=m.numerator)
        fact_aggregates[f"{m.code}_d"] = Count("id", filter=m.denominator)
    rows = (
        in_scope(CaseReview.objects.filter(status__in=COUNTED), "rollup_provider_id", provider_ids)
        .filter(rollup_inspection_id__in=ids)
        .values("rollup_inspection_id", "rollup_provider_id")
        .annotate(**fact_aggregates)
        .order_by()
    )
    for row in rows:
        key = (row.pop("rollup_inspection_id"), row.pop("rollup_provider_id"))
        counts.facts[key] = row

    # Prompt-based focus measures.
    # By prompt id, so the planner reads just those prompts' entries in prompt_answer_rollup.
    prompt_codes = {pk: code for shape in shapes.values() for pk, code in shape.prompt_ids.items()}
    rows = (
        ()
        if not focus_measures
        else (
            in_scope(
                PromptAnswer.objects.exclude(rollup_value=""), "rollup_provider_id", provider_ids
            )
            .filter(rollup_inspection_id__in=ids)
            .filter(
                Q(prompt_id__in=list(prompt_codes))
                if prompt_codes  # none: nothing to count
                else Q(prompt__code__in=[m.prompt_code for m in PROMPT_MEASURES])
            )
            .values("rollup_inspection_id", "rollup_provider_id", "prompt_id")
            .annotate(
                yes=Count("rollup_value", filter=Q(rollup_value=PromptValue.YES)),
                answered=Count(
                    "rollup_value", filter=Q(rollup_value__in=[PromptValue.YES, PromptValue.NO])
                ),
            )
            .order_by()
        )
    )
    for row in rows:
        key = (row["rollup_inspection_id"], row["rollup_provider_id"])
        counts.prompts[key][prompt_codes[row["prompt_id"]]] = (row["yes"], row["answered"])
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
    shapes = _framework_shapes(i.framework_id for i in inspections)
    counts = live_counts(
        ids, provider_ids=provider_ids, focus_measures=focus_measures, shapes=shapes
    )
    purged = [i.id for i in inspections if i.case_data_purged_at is not None]
    if purged:
        counts.merge(frozen_counts(purged, provider_ids=provider_ids))
    all_links, kq_counts, fact_counts, prompt_counts = (
        counts.links,
        counts.key_questions,
        counts.facts,
        counts.prompts,
    )
    links = {(i, p) for i, p in all_links if provider_ids is None or p in provider_ids}
    partial_scope = {i for i, p in all_links - links}
    providers = {
        p.id: p
        for p in Provider.objects.filter(id__in={p for _, p in links}).only("id", "code", "name")
    }

    # Lead-entered ratings: judgement-rated standards and overrides.
    entries: dict = defaultdict(dict)
    for inspection_id, provider_id, standard_id, rating, rationale in in_scope(
        StandardJudgement.objects.filter(inspection_id__in=ids), "provider_id", provider_ids
    ).values_list("inspection_id", "provider_id", "standard_id", "rating", "rationale"):
        entries[(inspection_id, provider_id)][standard_id] = (rating, rationale)

    results = {}
    for inspection in inspections:
        shape = shapes[inspection.framework_id]
        provider_list = sorted(
            (providers[p] for i, p in links if i == inspection.id),
            key=lambda p: (p.name, p.code),
        )
        per_provider = []
        whole_kq: dict = defaultdict(dict)
        whole_facts: dict = {}
        whole_prompts: dict = {}
        for provider in provider_list:
            key = (inspection.id, provider.id)
            facts = fact_counts.get(key, {})
            prompts = prompt_counts.get(key, {})
            per_provider.append(
                _provider_rollup(
                    shape=shape,
                    provider=provider,
                    reviews=facts.get("reviews", 0),
                    kq_counts=kq_counts.get(key, {}),
                    fact_counts=facts,
                    prompt_counts=prompts,
                    entries=entries.get(key, {}),
                    focus_measures=focus_measures,
                )
            )
            for kq_id, counts in kq_counts.get(key, {}).items():
                _sum_into(whole_kq[kq_id], counts)
            _sum_into(whole_facts, facts)
            for code, (yes, answered) in prompts.items():
                before = whole_prompts.get(code, (0, 0))
                whole_prompts[code] = (before[0] + yes, before[1] + answered)
        # Lead entries are per provider: the whole inspection has them only when it is one.
        whole_entries = (
            entries.get((inspection.id, provider_list[0].id), {}) if len(provider_list) == 1 else {}
        )
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
        results[inspection.id] = InspectionRollup(
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
            is_partial_scope=inspection.id in partial_scope,
        )
    return results


def rollup(inspection: Inspection, *, provider_ids: set[int] | None = None) -> InspectionRollup:
    """The roll-up of one inspection (see rollup_inspections)."""
    return rollup_inspections([inspection], provider_ids=provider_ids)[inspection.id]
