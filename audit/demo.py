"""Demo data for the quick start: every feature visible with realistic figures.

Idempotent: running it again changes nothing that is already there.
"""
from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction

from cases.models import Case, Gender, PractitionerGrade, Provider, ProviderType, RoshLevel, SentenceType

from .models import User
from .roles import Role

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
        defaults={"name": REGION[1], "type": ProviderType.REGION,
                  "in_force_from": datetime.date(2021, 6, 26)},
    )
    pdus = []
    for code, name in PDUS:
        pdu, _ = Provider.objects.get_or_create(
            code=code,
            defaults={"name": name, "type": ProviderType.PDU, "parent": region,
                      "in_force_from": datetime.date(2021, 6, 26)},
        )
        pdus.append(pdu)
    for type_, code, name, start in LEGACY:
        Provider.objects.get_or_create(
            code=code,
            defaults={"name": name, "type": type_, "in_force_from": start,
                      "in_force_to": datetime.date(2021, 6, 25)},
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
            sentence = rng.choices(
                list(SentenceType.values), weights=[40, 25, 30, 5]
            )[0]
            rosh = rng.choices(list(RoshLevel.values), weights=[30, 50, 17, 2, 1])[0]
            new.append(
                Case(
                    crn=crn,
                    provider=pdu,
                    sentence_type=sentence,
                    start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(150)),
                    rosh_level=rosh,
                    mappa_category=rng.choice([1, 2, 3]) if rosh in ("high", "very_high") and rng.random() < 0.6 else None,
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
    Case.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def load_users(pdus) -> list[tuple[str, str]]:
    region = pdus[0].parent
    created = []
    for username, first, last, role in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.gov.uk"},
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
    return {"cases_created": new_cases, "users": users}
