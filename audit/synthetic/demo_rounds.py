"""Published inspections of the demo data, scored in bulk by the shared case generator.

- a year before the demo inspection, the same West Midlands PDUs (trends and the league table);
- the last round before unification: the NPS division and the CRC, inspected on their own, so
  that the national picture compares kinds of provider;
- the North East audited PDU by PDU: three PDUs, each with its own inspection within one year,
  so that the region's figures are pooled across inspections.

Each inspection is written directly (bulk inserts), its counts rebuilt through the same code as
every save, the standards rated by judgement entered by the lead, then published. Each is
written once: one found by its title is left as it is.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction

from audit.counts.rebuild import rebuild_counts
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    ReviewStatus,
    SampledCase,
    StandardJudgement,
    User,
)
from audit.synthetic import cases as synthetic
from audit.synthetic.dates import add_case_dates
from cases.models import Case, Provider, ProviderType
from standards.models import RatedBy
from standards.rating import Rating

UNIFICATION = datetime.date(2021, 6, 26)

# The lead's rating of the standards rated by judgement, per provider: most standards at this
# level, every third one a step up.
DEMO_STANDARD_RATINGS = {
    "PDU-BHM-N": "good",
    "PDU-BHM-S": "requires_improvement",
    "PDU-WOL": "good",
    "NPS-MID": "good",
    "CRC-SSW": "requires_improvement",
    "PDU-CDD": "requires_improvement",
    "PDU-NCL": "good",
    "PDU-SUN": "good",
}
DEMO_RATIONALES = {
    "outstanding": "Consistently strong evidence across interviews, case files and meetings with "
    "partners; staff and people on probation describe the same strengths.",
    "good": "Clear plans and a stable team; staff feel supported, with some gaps in workload "
    "management that leaders know about and are addressing.",
    "requires_improvement": "Vacancies and high workloads limit what staff can do; plans to "
    "improve exist but have not yet changed practice.",
    "inadequate": "Leaders have not addressed long-standing weaknesses; partners report poor "
    "communication and services are not available when needed.",
}

DEMO_PREVIOUS_INSPECTION_TITLE = "West Midlands PDUs case supervision audit, spring 2025"
NPS_TITLE = "NPS Midlands division: case supervision inspection, 2021"
CRC_TITLE = "Staffordshire and West Midlands CRC: case supervision inspection, 2021"
NORTH_EAST = ("REG-NE", "North East")
NORTH_EAST_PDUS = [
    ("PDU-CDD", "County Durham and Darlington"),
    ("PDU-NCL", "Newcastle upon Tyne"),
    ("PDU-SUN", "Sunderland"),
]


@dataclass(frozen=True)
class Round:
    """One published inspection: its providers (by code), period, and the chance of good work
    of each provider, with a shift per lens where a provider differs from its usual level."""

    title: str
    providers: tuple[str, ...]
    period: tuple[datetime.date, datetime.date]
    published: datetime.date
    crn_prefix: str
    seed: int
    quality: dict[str, float]
    lens_shift: dict[str, dict[str, float]] = field(default_factory=dict)
    cases_per_provider: int = 24


# A year earlier Birmingham South and Wolverhampton were weaker, so the trend shows improvement.
PREVIOUS = Round(
    title=DEMO_PREVIOUS_INSPECTION_TITLE,
    providers=("PDU-BHM-N", "PDU-BHM-S", "PDU-WOL"),
    period=(datetime.date(2025, 1, 1), datetime.date(2025, 5, 31)),
    published=datetime.date(2025, 7, 15),
    crn_prefix="Y",
    seed=2025,
    quality={"PDU-BHM-N": 0.74, "PDU-BHM-S": 0.54, "PDU-WOL": 0.63},
)
# Before unification: keeping people safe far weaker in the CRC than in the NPS division.
LEGACY_ROUNDS = [
    Round(
        title=NPS_TITLE,
        providers=("NPS-MID",),
        period=(datetime.date(2020, 10, 1), datetime.date(2021, 3, 31)),
        published=datetime.date(2021, 5, 20),
        crn_prefix="L1",
        seed=2021,
        quality={"NPS-MID": 0.74},
        lens_shift={"NPS-MID": {"keeping_safe": 0.08}},
        cases_per_provider=40,
    ),
    Round(
        title=CRC_TITLE,
        providers=("CRC-SSW",),
        period=(datetime.date(2020, 10, 1), datetime.date(2021, 3, 31)),
        published=datetime.date(2021, 6, 3),
        crn_prefix="L2",
        seed=2022,
        quality={"CRC-SSW": 0.62},
        lens_shift={"CRC-SSW": {"keeping_safe": -0.12, "desistance": -0.04}},
        cases_per_provider=40,
    ),
]
# One region audited PDU by PDU, each inspection within the same year.
NORTH_EAST_ROUNDS = [
    Round(
        title=f"{name} PDU: case supervision inspection, {season}",
        providers=(code,),
        period=period,
        published=published,
        crn_prefix=prefix,
        seed=seed,
        quality={code: quality},
    )
    for (code, name), season, period, published, prefix, seed, quality in zip(
        NORTH_EAST_PDUS,
        ("spring 2025", "summer 2025", "autumn 2025"),
        (
            (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
            (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
            (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
        ),
        (datetime.date(2025, 5, 14), datetime.date(2025, 8, 20), datetime.date(2025, 11, 26)),
        ("Q1", "Q2", "Q3"),
        (3101, 3102, 3103),
        (0.58, 0.78, 0.7),
    )
]


def load_north_east() -> list[Provider]:
    """The North East region and the three PDUs of it that the demo audits one by one."""
    region, _ = Provider.objects.get_or_create(
        code=NORTH_EAST[0],
        defaults={"name": NORTH_EAST[1], "type": ProviderType.REGION, "in_force_from": UNIFICATION},
    )
    pdus = []
    for code, name in NORTH_EAST_PDUS:
        pdu, _ = Provider.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "type": ProviderType.PDU,
                "parent": region,
                "in_force_from": UNIFICATION,
            },
        )
        pdus.append(pdu)
    return pdus


def demo_judged_ratings(inspection, providers, lead):
    """Ratings with rationales for the standards rated by judgement, where none is entered."""
    from audit.reports.standard_ratings import record_standard_rating

    order = [Rating.INADEQUATE, Rating.REQUIRES_IMPROVEMENT, Rating.GOOD, Rating.OUTSTANDING]
    entered = set(
        StandardJudgement.objects.filter(inspection=inspection).values_list(
            "provider_id", "standard_id"
        )
    )
    standards = inspection.framework.standards.filter(rated_by=RatedBy.JUDGEMENT).order_by("order")
    for provider in providers:
        base = order.index(Rating(DEMO_STANDARD_RATINGS.get(provider.code, "good")))
        for index, standard in enumerate(standards):
            if (provider.id, standard.id) in entered:
                continue
            rating = order[min(3, base + (1 if index % 3 == 2 else 0))]
            record_standard_rating(
                inspection=inspection,
                provider=provider,
                standard=standard,
                rating=rating.value,
                rationale=f"{standard.title}: {DEMO_RATIONALES[rating]}",
                user=lead,
            )


def _round_cases(round_, providers, rng) -> list[Case]:
    """The sampled cases of each provider, started in the months before the period ends."""
    first_start = round_.period[0] - datetime.timedelta(days=90)
    spread = (round_.period[1] - first_start).days - 30
    wanted = [
        Case(
            crn=f"{round_.crn_prefix}{p_index + 1}{i:05d}"
            if len(round_.crn_prefix) == 1
            else f"{round_.crn_prefix}{i:05d}",
            provider=provider,
            **synthetic.case_fields(rng, first_start=first_start, spread_days=spread),
        )
        for p_index, provider in enumerate(providers)
        for i in range(round_.cases_per_provider)
    ]
    crns = [c.crn for c in wanted]
    existing = set(Case.objects.filter(crn__in=crns).values_list("crn", flat=True))
    for case in wanted:
        add_case_dates(case)
    Case.objects.bulk_create([c for c in wanted if c.crn not in existing])
    return list(Case.objects.filter(crn__in=crns).select_related("provider").order_by("crn"))


def _score(round_, reviews, cases, framework, rng):
    """Every key question and prompt of each review, from the shared generator."""
    key_questions, prompts = synthetic.framework_questions(framework)
    lenses = {kq.pk: kq.lens for kq in key_questions}
    judgements, answers = [], []
    for review, case, applicability in reviews:
        code = case.provider.code
        shifts = round_.lens_shift.get(code, {})
        for step in synthetic.plan(applicability, key_questions, prompts):
            quality = round_.quality[code] + shifts.get(lenses[step[0]], 0)
            prompt_values, value, rationale = synthetic.judge(rng, quality, step)
            judgements.append(
                Judgement(review=review, key_question_id=step[0], value=value, rationale=rationale)
            )
            answers += [
                PromptAnswer(review=review, prompt_id=prompt_id, value=prompt_value)
                for prompt_id, prompt_value in prompt_values
            ]
    Judgement.objects.bulk_create(judgements)
    PromptAnswer.objects.bulk_create(answers)


def publish_round(round_: Round, framework, lead) -> Inspection:
    """Write one published inspection of the round's providers, unless it exists."""
    existing = Inspection.objects.filter(title=round_.title).first()
    if existing is not None:
        return existing
    rng = random.Random(round_.seed)
    providers = sorted(Provider.objects.filter(code__in=round_.providers), key=lambda p: p.code)
    published_at = datetime.datetime.combine(
        round_.published, datetime.time(9), tzinfo=datetime.UTC
    )
    with transaction.atomic():
        inspection = Inspection.objects.create(
            title=round_.title,
            framework=framework,
            lead=lead,
            period_start=round_.period[0],
            period_end=round_.period[1],
            status=InspectionStatus.MODERATION,
        )
        inspection.providers.set(providers)
        cases = _round_cases(round_, providers, rng)
        sampled = SampledCase.objects.bulk_create(
            SampledCase(inspection=inspection, case=c, provider_id=c.provider_id) for c in cases
        )
        reviews = []
        for sampled_case, case in zip(sampled, cases):
            facts, applicability = synthetic.review_facts(
                rng, round_.quality[case.provider.code], case
            )
            review = CaseReview(
                sampled_case=sampled_case,
                status=ReviewStatus.SUBMITTED,
                submitted_by=lead,
                submitted_at=published_at,
                **facts,
            )
            reviews.append((review, case, applicability))
        CaseReview.objects.bulk_create([review for review, _, _ in reviews])
        _score(round_, reviews, cases, framework, rng)
        rebuild_counts(inspection_ids=[inspection.id])
        # Ratings are entered before publication, which makes them final.
        demo_judged_ratings(inspection, providers, lead)
        inspection.status = InspectionStatus.PUBLISHED
        inspection.published_at = published_at
        inspection.save(update_fields=["status", "published_at"])
    return inspection


def load_published_rounds(framework) -> list[Inspection]:
    """The legacy NPS and CRC inspections and the North East's PDU inspections, on the demo's
    framework version, with the North East and the legacy providers added to the scope of the
    demo's lead, manager and moderator so that their reports show them."""
    lead = User.objects.filter(username="lead").first()
    if lead is None or framework is None:
        return []
    load_north_east()
    scope = list(Provider.objects.filter(code__in=[NORTH_EAST[0], "NPS-MID", "CRC-SSW"]))
    for user in User.objects.filter(username__in=["lead", "manager", "moderator"]):
        user.providers.add(*scope)
    return [publish_round(r, framework, lead) for r in [*LEGACY_ROUNDS, *NORTH_EAST_ROUNDS]]
