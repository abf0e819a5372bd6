"""Demo data for the quick start: every feature visible with realistic figures.

Idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction

from audit.accounts.roles import Role
from audit.counts.rebuild import rebuild_counts
from audit.models import User
from audit.synthetic.dates import add_case_dates
from cases.models import (
    Case,
    Gender,
    PractitionerGrade,
    Provider,
    ProviderType,
    RoshLevel,
    SentenceType,
)

DEMO_PASSWORD = "demo-password-2026"

DEMO_USERS = [
    ("assessor", "Asha", "Assessor", Role.ASSESSOR),
    ("assessor2", "Ben", "Assessor", Role.ASSESSOR),
    ("moderator", "Mo", "Moderator", Role.MODERATOR),
    ("lead", "Leigh", "Lead", Role.LEAD),
    ("manager", "Mina", "Manager", Role.MANAGER),
    ("admin", "Ada", "Admin", Role.ADMIN),
]

REGION = ("REG-WM", "West Midlands")
PDUS = [
    ("PDU-BHM-N", "Birmingham North, East and Solihull"),
    ("PDU-BHM-S", "Birmingham South and Central"),
    ("PDU-WOL", "Wolverhampton"),
]
LEGACY = [
    (ProviderType.NPS_DIVISION, "NPS-MID", "NPS Midlands division", datetime.date(2014, 6, 1)),
    (ProviderType.CRC, "CRC-SSW", "Staffordshire and West Midlands CRC", datetime.date(2015, 2, 1)),
]
ETHNICITIES = ["White", "Black", "Asian", "Mixed", "Other", "Not stated"]
AGE_BANDS = ["18-24", "25-34", "35-49", "50+"]


@transaction.atomic
def load_providers() -> list[Provider]:
    region, _ = Provider.objects.get_or_create(
        code=REGION[0],
        defaults={
            "name": REGION[1],
            "type": ProviderType.REGION,
            "in_force_from": datetime.date(2021, 6, 26),
        },
    )
    pdus = []
    for code, name in PDUS:
        pdu, _ = Provider.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "type": ProviderType.PDU,
                "parent": region,
                "in_force_from": datetime.date(2021, 6, 26),
            },
        )
        pdus.append(pdu)
    for type_, code, name, start in LEGACY:
        Provider.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "type": type_,
                "in_force_from": start,
                "in_force_to": datetime.date(2021, 6, 25),
            },
        )
    return pdus


@transaction.atomic
def load_cases(pdus, per_provider=120, seed=2026) -> int:
    """A caseload per PDU with realistic shares of RoSH level, sentence type and gender."""
    rng = random.Random(seed)
    existing = set(Case.objects.values_list("crn", flat=True))
    new = []
    for p_index, pdu in enumerate(pdus):
        for i in range(per_provider):
            crn = f"X{p_index + 1}{i:05d}"
            if crn in existing:
                continue
            sentence = rng.choices(list(SentenceType.values), weights=[40, 25, 30, 5])[0]
            rosh = rng.choices(list(RoshLevel.values), weights=[30, 50, 17, 2, 1])[0]
            new.append(
                Case(
                    crn=crn,
                    provider=pdu,
                    sentence_type=sentence,
                    start_date=datetime.date(2026, 1, 1)
                    + datetime.timedelta(days=rng.randrange(150)),
                    rosh_level=rosh,
                    mappa_category=rng.choice([1, 2, 3])
                    if rosh in ("high", "very_high") and rng.random() < 0.6
                    else None,
                    mappa_level=1 if rosh in ("high", "very_high") and rng.random() < 0.6 else None,
                    gender=rng.choices([Gender.MALE, Gender.FEMALE], weights=[88, 12])[0],
                    ethnicity=rng.choices(ETHNICITIES, weights=[72, 9, 9, 5, 2, 3])[0],
                    age_band=rng.choice(AGE_BANDS),
                    domestic_abuse_history=rng.random() < 0.35,
                    child_safeguarding_concerns=rng.random() < 0.25,
                    practitioner_grade=rng.choices(
                        [PractitionerGrade.PO, PractitionerGrade.PSO], weights=[60, 40]
                    )[0],
                )
            )
    for case in new:
        add_case_dates(case)
    Case.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def load_users(pdus) -> list[tuple[str, str]]:
    region = pdus[0].parent
    created = []
    for username, first, last, role in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.gov.uk",
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
            user.groups.add(Group.objects.get(name=role))
            user.providers.add(region)
        created.append((username, role.label))
    return created


def load_all(stdout=None):
    pdus = load_providers()
    new_cases = load_cases(pdus)
    users = load_users(pdus)
    load_inspection(pdus)
    load_moderation()
    load_drawn_sample(pdus)
    load_rollup_demo(pdus)
    load_trail_demo()
    return {"cases_created": new_cases, "users": users}


# --- an inspection in fieldwork, with scored reviews ------------------------------------------

DEMO_INSPECTION_TITLE = "West Midlands PDUs case supervision audit, spring 2026"
# Left not started by the demo so docs/examples/reviews.csv imports into it.
DEMO_IMPORT_CRNS = ("X100114", "X200114", "X300114")

# Share of key questions judged sufficient, by lens, and each PDU's difference from it: keeping
# people safe is weakest, as in most published inspections.
SUFFICIENT_BY_LENS = {"engaging": 0.82, "desistance": 0.71, "keeping_safe": 0.56}
PDU_DIFFERENCE = {"PDU-BHM-N": 0.06, "PDU-BHM-S": -0.09, "PDU-WOL": 0.0}
NOT_SUFFICIENT_REASONS = [
    "The assessment did not analyse the risk to the current partner despite police call-outs.",
    "No evidence the person's views were sought; the plan was written for them, not with them.",
    "Contact dropped to monthly phone calls without a recorded reason.",
    "Children's services were not contacted although children live at the address.",
    "Factors linked to offending were listed but not analysed or prioritised.",
    "The review did not respond to the new relationship or the change in risk.",
    "Home visit identified as needed but not carried out in the period.",
    "Sentence plan objectives were generic and not linked to the offending.",
]


def _demo_facts(case, rng) -> dict:
    """Case facts as an assessor might record them, consistent with the framework's fact rules
    (no RoSH screening, so no level or timeliness; no enquiries, so no reply)."""
    medium_or_above = case.rosh_level in ("medium", "high", "very_high")
    found = case.rosh_level if rng.random() < 0.9 else rng.choice(["low", "medium", "high"])
    home_visit = (case.domestic_abuse_history or case.child_safeguarding_concerns) and (
        medium_or_above
    )

    def made(needed, rate):
        if not needed:
            return "na"
        return "yes" if rng.random() < rate else "no"

    def reply(enquiries_made, received_rate, sufficient_rate):
        if enquiries_made != "yes":
            return "na", "na"
        roll = rng.random()
        received = "yes" if roll < received_rate else "no"
        return received, ("yes" if roll < sufficient_rate else "no") if received == "yes" else "na"

    da_made = made(case.domestic_abuse_history, 0.78)
    cs_made = made(case.child_safeguarding_concerns, 0.7)
    screened = "yes" if rng.random() < 0.95 else "no"
    on_time = "yes" if rng.random() < 0.8 else "no"
    analysed = ("yes" if rng.random() < 0.75 else "no") if medium_or_above else "na"
    if found in ("medium", "high", "very_high") and analysed == "na":
        analysed = "yes"  # the level found calls for a full analysis
    elif found == "low":
        analysed = "na"
    if screened == "no" or found == "not_screened":
        screened, on_time, found, analysed = "no", "na", "not_screened", ""
    da_received, da_sufficient = reply(da_made, 0.85, 0.7)
    cs_received, cs_sufficient = reply(cs_made, 0.8, 0.65)
    return {
        "rosh_screening_completed": screened,
        "rosh_screening_on_time": on_time,
        "rosh_level_found": found,
        "full_risk_analysis_completed": analysed,
        "domestic_abuse_enquiries_needed": "yes" if case.domestic_abuse_history else "no",
        "domestic_abuse_enquiries_made": da_made,
        "domestic_abuse_reply_received": da_received,
        "domestic_abuse_reply_sufficient": da_sufficient,
        "child_safeguarding_enquiries_needed": "yes" if case.child_safeguarding_concerns else "no",
        "child_safeguarding_enquiries_made": cs_made,
        "child_safeguarding_reply_received": cs_received,
        "child_safeguarding_reply_sufficient": cs_sufficient,
        "home_visit_needed": "yes" if home_visit else "no",
        "home_visit_made": made(home_visit, 0.6),
        "mappa_category": case.mappa_category,
        "mappa_level": case.mappa_level if case.mappa_category else None,
        "management_oversight_sufficient": "yes" if rng.random() < 0.65 else "no",
        "person_interviewed": "yes" if rng.random() < 0.3 else "no",
    }


def _demo_page(standard, provider_code, rng):
    """Answers and judgements for one standard, plausibly distributed."""
    answers, judgements = {}, {}
    for kq in standard.key_questions.all():
        rate = SUFFICIENT_BY_LENS[kq.lens] + PDU_DIFFERENCE.get(provider_code, 0)
        if kq.allows_not_applicable and rng.random() < 0.08:
            value = "na"
        else:
            value = "sufficient" if rng.random() < rate else "not_sufficient"
        yes_rate = {"sufficient": 0.9, "not_sufficient": 0.45, "na": 0.5}[value]
        for prompt in kq.prompts.all():
            if prompt.allows_not_applicable and rng.random() < 0.04:
                answers[prompt.code] = "na"
            else:
                answers[prompt.code] = "yes" if rng.random() < yes_rate else "no"
        rationale = rng.choice(NOT_SUFFICIENT_REASONS) if value == "not_sufficient" else ""
        judgements[kq.code] = (value, rationale)
    return answers, judgements


def load_inspection(pdus, *, per_pdu=20):
    """A fieldwork inspection of the demo PDUs: sampled cases split between the two demo
    assessors, most reviews submitted, some in progress, a few not started."""
    from audit.inspections import services as inspection_services
    from audit.inspections.lifecycle import start_fieldwork
    from audit.models import Inspection
    from audit.scoring import services
    from audit.scoring.selectors import case_standards, review_queryset
    from standards.models import Framework, FrameworkStatus

    existing = Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).first()
    if existing is not None:
        return existing
    framework = (
        Framework.objects.filter(code="hmip-case-supervision", status=FrameworkStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["lead", "assessor", "assessor2", "moderator"])
    }
    if framework is None or len(users) < 4:
        return None  # load_framework and load_users first
    lead, assessors = users["lead"], [users["assessor"], users["assessor2"]]
    rng = random.Random(2026)
    with transaction.atomic():
        inspection = inspection_services.create_inspection(
            title=DEMO_INSPECTION_TITLE,
            framework=framework,
            providers=pdus,
            lead=lead,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 5, 31),
            team=[users["moderator"], *assessors],
        )
        # A systematic sample: every sixth case of each PDU's caseload, in CRN order.
        from cases.models import Sample

        chosen = []
        for pdu in pdus:
            crns = list(
                Case.objects.filter(provider=pdu).order_by("crn").values_list("pk", flat=True)
            )
            chosen += crns[::6][:per_pdu]
        sample = Sample.objects.create(
            window_start=inspection.period_start,
            window_end=inspection.period_end,
            requested_size=len(chosen),
            seed=2026,
            caseload_size=Case.objects.filter(provider__in=pdus).count(),
            drawn_by="lead",
        )
        sample.providers.set(pdus)
        sample.cases.set(chosen)
        inspection_services.add_sample(inspection=inspection, sample=sample, user=lead)
        start_fieldwork(inspection=inspection, by=lead)
        sampled = list(inspection.sampled_cases.order_by("case__crn"))
        for index, assessor in enumerate(assessors):
            inspection_services.assign_cases(
                inspection=inspection,
                sampled_case_ids=[s.pk for s in sampled[index::2]],
                assessor=assessor,
                user=lead,
            )
        standards = case_standards(framework)
        for review in (
            review_queryset()
            .filter(sampled_case__inspection=inspection)
            .order_by("sampled_case__case__crn")
        ):
            crn = review.sampled_case.case.crn
            roll = rng.random()
            if crn in DEMO_IMPORT_CRNS or roll < 0.1:
                continue  # not started
            user = review.sampled_case.assessor
            review = services.save_review(
                review=review,
                version=review.version,
                user=user,
                facts=_demo_facts(review.sampled_case.case, rng),
            )
            pages = standards if roll >= 0.25 else standards[: rng.randrange(0, len(standards))]
            for standard in pages:
                answers, judgements = _demo_page(standard, review.sampled_case.provider.code, rng)
                review = services.save_review(
                    review=review,
                    version=review.version,
                    user=user,
                    standard_code=standard.code,
                    answers=answers,
                    judgements=judgements,
                    standards=standards,
                )
            if roll >= 0.25:
                services.submit_review(
                    review=review, version=review.version, user=user, standards=standards
                )
    return inspection


# --- moderation of the demo inspection -----------------------------------------------------------

DEMO_MODERATION_SEED = 20260401
MODERATOR_REASONS = [
    "Risk to the children in the household was not analysed; the screening was copied forward.",
    "The plan does not address the drinking that the assessment links to the offences.",
    "Contact was reduced without a recorded reason or a manager's agreement.",
    "The review did not respond to the new address or the police call-out in March.",
]
RESOLUTION_NOTES = [
    "Discussed with both readers: the second read is right, the evidence is not in the record.",
    "The first read stands: the case notes for 12 March show the missing analysis.",
]


def load_moderation():
    """Second reads of the demo inspection: a seeded random share, one lead's choice, most reads
    completed by the demo moderator with a few disagreements, some of them resolved.

    Does nothing until the demo inspection has submitted reviews, or once it has any second read.
    """
    from audit.models import Inspection, Judgement, ModerationRead, ReviewStatus
    from audit.moderation import services as moderation
    from standards.models import JudgementValue

    inspection = Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).first()
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "moderator"])}
    if inspection is None or len(users) < 2:
        return None
    if ModerationRead.objects.filter(review__sampled_case__inspection=inspection).exists():
        return inspection
    submitted = inspection.sampled_cases.filter(review__status=ReviewStatus.SUBMITTED)
    if not submitted.exists():
        return None
    lead, moderator = users["lead"], users["moderator"]
    rng = random.Random(DEMO_MODERATION_SEED)
    with transaction.atomic():
        draw = moderation.draw_moderation_sample(
            inspection=inspection, by=lead, seed=DEMO_MODERATION_SEED
        )
        extra = submitted.exclude(case__crn__in=draw.selected).order_by("case__crn").first()
        if extra is not None:
            moderation.select_for_moderation(review=extra.review, by=lead)
        reads = list(
            ModerationRead.objects.filter(review__sampled_case__inspection=inspection)
            .select_related("review__sampled_case__case", "review__sampled_case__inspection")
            .order_by("review__sampled_case__case__crn")
        )
        moderation.assign_moderator(reads=reads, moderator=moderator, by=lead)
        for read in reads[: max(1, len(reads) - 2)]:  # the last two are left to do
            first = dict(
                Judgement.objects.filter(review=read.review).values_list(
                    "key_question__code", "value"
                )
            )
            answers = {}
            for kq in moderation.moderation_key_questions(read.review):
                value = first.get(kq.code, JudgementValue.SUFFICIENT)
                if value != JudgementValue.NOT_APPLICABLE and rng.random() < 0.12:
                    value = (
                        JudgementValue.NOT_SUFFICIENT
                        if value == JudgementValue.SUFFICIENT
                        else JudgementValue.SUFFICIENT
                    )
                reason = (
                    rng.choice(MODERATOR_REASONS) if value == JudgementValue.NOT_SUFFICIENT else ""
                )
                answers[kq.code] = (value, reason)
            moderation.record_second_read(read=read, by=moderator, judgements=answers)
        for index, disagreement in enumerate(moderation.disagreements(inspection)):
            if index % 2:
                continue  # every other one is left for the lead to resolve
            value = disagreement.second_value if index % 4 == 0 else disagreement.first_value
            moderation.resolve_disagreement(
                judgement=disagreement.judgement,
                value=value,
                note=RESOLUTION_NOTES[0 if value == disagreement.second_value else 1],
                by=lead,
            )
    return inspection


# --- a stratified sample drawn on the sampling page ----------------------------------------------

DEMO_SAMPLE_SEED = 480151623
DEMO_SAMPLE_PDU = "PDU-WOL"


def load_drawn_sample(pdus):
    """A stratified random sample of one PDU's caseload, sized by the calculator for a 10% margin
    at 80% confidence, as a lead would draw it on the sampling page. Drawn once."""
    from cases import sampling
    from cases.models import Sample

    pdu = next((p for p in pdus if p.code == DEMO_SAMPLE_PDU), None)
    if pdu is None:
        return None
    existing = Sample.objects.filter(seed=DEMO_SAMPLE_SEED, providers=pdu).first()
    if existing is not None:
        return existing
    window = {"window_start": datetime.date(2026, 1, 1), "window_end": datetime.date(2026, 5, 31)}
    caseload = sampling.eligible_cases(providers=[pdu], **window).count()
    if caseload == 0:
        return None
    return sampling.draw_sample(
        providers=[pdu],
        size=sampling.sample_size(caseload, 80, 0.10),
        seed=DEMO_SAMPLE_SEED,
        drawn_by="lead",
        **window,
    )


# --- roll-up reports: lead-entered ratings and an older inspection for trends ---------------------

DEMO_PREVIOUS_INSPECTION_TITLE = "West Midlands PDUs case supervision audit, spring 2025"
# A year earlier Birmingham South and Wolverhampton were weaker, so the trend shows improvement.
PDU_DIFFERENCE_2025 = {"PDU-BHM-N": 0.04, "PDU-BHM-S": -0.16, "PDU-WOL": -0.07}
# Judgement-rated standards per PDU: (rating, rationale) by standard title keyword.
DEMO_STANDARD_RATINGS = {
    "PDU-BHM-N": "good",
    "PDU-BHM-S": "requires_improvement",
    "PDU-WOL": "good",
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


def _demo_judged_ratings(inspection, providers, lead):
    """Ratings with rationales for the standards rated by judgement, where none is entered."""
    from audit.models import StandardJudgement
    from audit.reports.standard_ratings import record_standard_rating
    from standards.models import RatedBy
    from standards.rating import Rating

    order = [Rating.INADEQUATE, Rating.REQUIRES_IMPROVEMENT, Rating.GOOD, Rating.OUTSTANDING]
    entered = set(
        StandardJudgement.objects.filter(inspection=inspection).values_list(
            "provider_id", "standard_id"
        )
    )
    for provider in providers:
        base = order.index(Rating(DEMO_STANDARD_RATINGS.get(provider.code, "good")))
        for index, standard in enumerate(
            inspection.framework.standards.filter(rated_by=RatedBy.JUDGEMENT).order_by("order")
        ):
            if (provider.id, standard.id) in entered:
                continue
            # Most standards at the PDU's level, every third one a step up.
            step = 1 if index % 3 == 2 else 0
            rating = order[min(3, base + step)]
            record_standard_rating(
                inspection=inspection,
                provider=provider,
                standard=standard,
                rating=rating.value,
                rationale=f"{standard.title}: {DEMO_RATIONALES[rating]}",
                user=lead,
            )


def _load_previous_inspection(pdus, framework, lead):
    """A published inspection a year before the demo one, scored directly (bulk writes)."""
    from audit.models import (
        CaseReview,
        Inspection,
        InspectionStatus,
        Judgement,
        PromptAnswer,
        ReviewStatus,
        SampledCase,
    )
    from standards.models import RatedBy

    existing = Inspection.objects.filter(title=DEMO_PREVIOUS_INSPECTION_TITLE).first()
    if existing is not None:
        return existing
    rng = random.Random(2025)
    key_questions = [
        kq
        for standard in framework.standards.filter(rated_by=RatedBy.CASE_DATA).order_by("order")
        for kq in standard.key_questions.order_by("order").prefetch_related("prompts")
    ]
    with transaction.atomic():
        inspection = Inspection.objects.create(
            title=DEMO_PREVIOUS_INSPECTION_TITLE,
            framework=framework,
            lead=lead,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 5, 31),
            status=InspectionStatus.MODERATION,
        )
        published_at = datetime.datetime(2025, 7, 15, 9, 0, tzinfo=datetime.UTC)
        inspection.providers.set(pdus)
        cases = []
        for p_index, pdu in enumerate(pdus):
            for i in range(24):
                rosh = rng.choices(list(RoshLevel.values), weights=[30, 50, 17, 2, 1])[0]
                cases.append(
                    Case(
                        crn=f"Y{p_index + 1}{i:05d}",
                        provider=pdu,
                        sentence_type=rng.choices(
                            list(SentenceType.values), weights=[40, 25, 30, 5]
                        )[0],
                        start_date=datetime.date(2024, 10, 1)
                        + datetime.timedelta(days=rng.randrange(150)),
                        rosh_level=rosh,
                        gender=rng.choices([Gender.MALE, Gender.FEMALE], weights=[88, 12])[0],
                        ethnicity=rng.choices(ETHNICITIES, weights=[72, 9, 9, 5, 2, 3])[0],
                        age_band=rng.choice(AGE_BANDS),
                        domestic_abuse_history=rng.random() < 0.35,
                        child_safeguarding_concerns=rng.random() < 0.25,
                        practitioner_grade=rng.choices(
                            [PractitionerGrade.PO, PractitionerGrade.PSO], weights=[60, 40]
                        )[0],
                    )
                )
        existing_crns = set(
            Case.objects.filter(crn__in=[c.crn for c in cases]).values_list("crn", flat=True)
        )
        for case in cases:
            add_case_dates(case)
        Case.objects.bulk_create([c for c in cases if c.crn not in existing_crns])
        cases = list(Case.objects.filter(crn__in=[c.crn for c in cases]).order_by("crn"))
        sampled = SampledCase.objects.bulk_create(
            SampledCase(inspection=inspection, case=c, provider_id=c.provider_id) for c in cases
        )
        reviews = CaseReview.objects.bulk_create(
            CaseReview(
                sampled_case=s,
                status=ReviewStatus.SUBMITTED,
                submitted_by=lead,
                submitted_at=published_at,
                **_demo_facts(c, rng),
            )
            for s, c in zip(sampled, cases)
        )
        judgements, answers = [], []
        codes = {pdu.id: pdu.code for pdu in pdus}
        for review, case in zip(reviews, cases):
            for kq in key_questions:
                rate = SUFFICIENT_BY_LENS[kq.lens] + PDU_DIFFERENCE_2025.get(
                    codes[case.provider_id], 0
                )
                if kq.allows_not_applicable and rng.random() < 0.08:
                    value = "na"
                else:
                    value = "sufficient" if rng.random() < rate else "not_sufficient"
                judgements.append(
                    Judgement(
                        review=review,
                        key_question=kq,
                        value=value,
                        rationale=rng.choice(NOT_SUFFICIENT_REASONS)
                        if value == "not_sufficient"
                        else "",
                    )
                )
                yes_rate = {"sufficient": 0.9, "not_sufficient": 0.45, "na": 0.5}[value]
                for prompt in kq.prompts.all():
                    answers.append(
                        PromptAnswer(
                            review=review,
                            prompt=prompt,
                            value="yes" if rng.random() < yes_rate else "no",
                        )
                    )
        Judgement.objects.bulk_create(judgements)
        PromptAnswer.objects.bulk_create(answers)
        rebuild_counts(inspection_ids=[inspection.id])
        _demo_judged_ratings(inspection, pdus, lead)
        # Ratings are entered before publication, which makes them final.
        inspection.status = InspectionStatus.PUBLISHED
        inspection.published_at = published_at
        inspection.save(update_fields=["status", "published_at"])
    return inspection


def load_rollup_demo(pdus):
    """Ratings for the standards rated by judgement in the demo inspection, an override with its
    rationale, and an older published inspection of the same PDUs so that the provider trend and
    the league table show change. Safe to re-run; does nothing it cannot yet do (for example
    before the demo inspection or the framework exists)."""
    from audit.models import Inspection, StandardJudgement
    from audit.reports.standard_ratings import record_standard_rating
    from standards.models import RatedBy, Standard
    from standards.rating import Rating

    lead = User.objects.filter(username="lead").first()
    current = (
        Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).select_related("framework").first()
    )
    if lead is None or current is None:
        return None
    with transaction.atomic():
        providers = [p for p in pdus if current.providers.filter(pk=p.pk).exists()]
        if not current.is_published:
            _demo_judged_ratings(current, providers, lead)
            # A professional override: Wolverhampton's planning rated up a band on evidence from
            # fieldwork the case sample did not show.
            wolverhampton = next((p for p in providers if p.code == "PDU-WOL"), None)
            planning = Standard.objects.filter(
                framework=current.framework, rated_by=RatedBy.CASE_DATA
            ).order_by("order")[1:2]
            if (
                wolverhampton
                and planning
                and not StandardJudgement.objects.filter(
                    inspection=current, provider=wolverhampton, standard=planning[0]
                ).exists()
            ):
                record_standard_rating(
                    inspection=current,
                    provider=wolverhampton,
                    standard=planning[0],
                    rating=Rating.GOOD.value,
                    user=lead,
                    rationale="Plans agreed after the sample window show the contingency "
                    "planning the sampled cases lacked; confirmed in staff interviews.",
                )
    _load_previous_inspection(pdus, current.framework, lead)
    return current


# --- the audit trail: a few days of people viewing and exporting ------------------------------


def load_trail_demo():
    """Events on the audit trail as a week of work leaves them: reviews opened, reports viewed
    and exported. The demo's own loading is already on the trail (as "system" or as the user
    whose action it was); these add the reading, which the loaders do not do. Once only."""
    from django.urls import reverse
    from django.utils import timezone

    from audit.models import AuditEvent, CaseReview, Inspection
    from audit.trail import trail

    if AuditEvent.objects.filter(detail__demo=True).exists():
        return 0
    inspection = Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["assessor", "lead", "manager", "moderator"])
    }
    if inspection is None or len(users) < 4:
        return 0
    reviews = list(
        CaseReview.objects.filter(sampled_case__inspection=inspection)
        .select_related("sampled_case__case", "sampled_case__assessor")
        .order_by("sampled_case__case__crn")[:3]
    )
    now = timezone.now()
    events = []
    for hours, review in zip((70, 46, 22), reviews):
        crn = review.sampled_case.case.crn
        events.append(
            (
                hours,
                users["assessor"],
                trail.Action.VIEWED,
                review,
                "casereview",
                f"Review of {crn}",
                reverse("audit:review_tasks", args=[inspection.pk, crn]),
                {"page": "task list"},
            )
        )
    events += [
        (
            30,
            users["lead"],
            trail.Action.VIEWED,
            inspection,
            "inspection_report",
            "Inspection report",
            reverse("reports:inspection", args=[inspection.pk]),
            {},
        ),
        (
            29,
            users["lead"],
            trail.Action.EXPORTED,
            inspection,
            "inspection_report",
            f"Inspection report: inspection-{inspection.pk}-all.xlsx",
            reverse("reports:inspection_download", args=[inspection.pk, "all", "xlsx"]),
            {},
        ),
        (
            5,
            users["manager"],
            trail.Action.VIEWED,
            None,
            "league_table",
            "League table",
            reverse("reports:league"),
            {},
        ),
        (
            4,
            users["manager"],
            trail.Action.EXPORTED,
            inspection,
            "inspection_report",
            f"{inspection}: roll-up JSON",
            reverse("reports:inspection_json", args=[inspection.pk]),
            {},
        ),
    ]
    for hours, user, action, obj, object_type, label, path, detail in events:
        event = AuditEvent.objects.create(
            user=user,
            username=user.username,
            action=action,
            object_type=object_type,
            object_id=str(obj.pk) if obj is not None else "",
            object_label=label,
            path=path,
            detail={**detail, "demo": True},
        )
        AuditEvent.objects.filter(pk=event.pk).update(at=now - datetime.timedelta(hours=hours))
    return len(events)
