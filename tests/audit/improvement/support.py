"""A region with one PDU inspected twice (20 of 50, then 35 of 50 sufficient on 2.1.1), and
the people who see it: for the improvement-action tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from audit.accounts.roles import Role
from cases.models import ProviderType
from tests.audit.rollup_data import inspection_of, judged, publish, small_framework
from tests.factories import ProviderFactory, UserFactory


@dataclass
class Place:
    framework: object
    kqs: dict
    standards: dict
    region: object
    pdu: object
    first: object
    second: object
    lead: object
    manager: object
    moderator: object
    assessor: object
    other_manager: object


def reviews(inspection, provider, kqs, sufficient: int, of: int):
    """`of` counted reviews, written in bulk: `sufficient` of them sufficient on 2.1.1; 2.1.2
    always sufficient, 2.2.1 not applicable."""
    figures = {kqs["2.1.1"]: (sufficient, of), kqs["2.1.2"]: (of, of), kqs["2.2.1"]: (0, 0)}
    judged(inspection, provider, figures, of)


def place(*, before=(20, 50), after=(35, 50)) -> Place:
    framework, standards, kqs = small_framework()
    region = ProviderFactory(type=ProviderType.REGION, code="REG-N", name="North region")
    pdu = ProviderFactory(code="PDU-N", name="North PDU", parent=region)
    other = ProviderFactory(type=ProviderType.REGION, code="REG-S", name="South region")
    first = inspection_of(
        framework,
        pdu,
        title="Spring 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    second = inspection_of(
        framework,
        pdu,
        title="Autumn 2026",
        period_start=datetime.date(2026, 7, 1),
        period_end=datetime.date(2026, 9, 30),
    )
    reviews(first, pdu, kqs, *before)
    if after is not None:
        reviews(second, pdu, kqs, *after)
    publish(first, second)
    first.refresh_from_db()
    second.refresh_from_db()

    def person(role, scope, name):
        return UserFactory(
            username=name,
            roles=[role],
            scope=[scope],
            first_name=name.title(),
            email=f"{name}@example.org",
        )

    return Place(
        framework=framework,
        kqs=kqs,
        standards=standards,
        region=region,
        pdu=pdu,
        first=first,
        second=second,
        lead=person(Role.LEAD, region, "lead"),
        manager=person(Role.MANAGER, region, "manager"),
        moderator=person(Role.MODERATOR, pdu, "moderator"),
        assessor=person(Role.ASSESSOR, pdu, "assessor"),
        other_manager=person(Role.MANAGER, other, "othermanager"),
    )
