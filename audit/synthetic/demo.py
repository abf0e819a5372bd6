"""Demo data for the quick start: every feature visible with realistic figures.

Idempotent: running it again changes nothing that is already there. The cases, facts, answers
and judgements come from the shared generator (audit/synthetic/cases.py); the inspection in
fieldwork and its moderation are in demo_fieldwork.py, the published inspections in
demo_rounds.py and the audit trail in demo_trail.py.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction

from audit.accounts.roles import Role
from audit.models import Inspection, StandardJudgement, User
from audit.reports.standard_ratings import record_standard_rating
from audit.synthetic import cases as synthetic
from audit.synthetic.dates import add_case_dates
from audit.synthetic.demo_fieldwork import (  # noqa: F401  (the demo's names, in one place)
    DEMO_IMPORT_CRNS,
    DEMO_INSPECTION_TITLE,
    DEMO_MODERATION_SEED,
    demo_framework,
    load_inspection,
    load_moderation,
)
from audit.synthetic.demo_rounds import (  # noqa: F401
    DEMO_PREVIOUS_INSPECTION_TITLE,
    PREVIOUS,
    demo_judged_ratings,
    load_published_rounds,
    publish_round,
)
from audit.synthetic.demo_trail import load_trail_demo
from cases import sampling
from cases.models import Case, Provider, ProviderType, Sample
from standards.models import RatedBy, Standard
from standards.rating import Rating

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
    """A caseload per PDU with realistic shares of RoSH level, sentence type and gender, every
    case starting within the demo inspection's period."""
    rng = random.Random(seed)
    existing = set(Case.objects.values_list("crn", flat=True))
    new = []
    for p_index, pdu in enumerate(pdus):
        for i in range(per_provider):
            fields = synthetic.case_fields(
                rng, first_start=datetime.date(2026, 1, 1), spread_days=150
            )
            crn = f"X{p_index + 1}{i:05d}"
            if crn not in existing:
                new.append(Case(crn=crn, provider=pdu, **fields))
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
    load_published_rounds(demo_framework())
    load_trail_demo()
    return {"cases_created": new_cases, "users": users}


# --- a stratified sample drawn on the sampling page ----------------------------------------------

DEMO_SAMPLE_SEED = 480151623
DEMO_SAMPLE_PDU = "PDU-WOL"


def load_drawn_sample(pdus):
    """A stratified random sample of one PDU's caseload, sized by the calculator for a 10% margin
    at 80% confidence, as a lead would draw it on the sampling page. Drawn once."""

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


def _wolverhampton_override(current, providers, lead):
    """A professional override: Wolverhampton's planning rated up a band on evidence from
    fieldwork the case sample did not show."""
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


def load_rollup_demo(pdus):
    """Ratings for the standards rated by judgement in the demo inspection, an override with its
    rationale, and an older published inspection of the same PDUs so that the provider trend and
    the league table show change. Safe to re-run; does nothing it cannot yet do (for example
    before the demo inspection or the framework exists)."""
    lead = User.objects.filter(username="lead").first()
    current = (
        Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).select_related("framework").first()
    )
    if lead is None or current is None:
        return None
    with transaction.atomic():
        providers = [p for p in pdus if current.providers.filter(pk=p.pk).exists()]
        if not current.is_published:
            demo_judged_ratings(current, providers, lead)
            _wolverhampton_override(current, providers, lead)
    publish_round(PREVIOUS, current.framework, lead)
    return current
