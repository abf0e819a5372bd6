"""A region with one PDU inspected twice (20 of 50, then 35 of 50 sufficient on 2.1.1), and
the people who see it: for the improvement-action tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from audit.accounts.roles import Role
from audit.counts.contribution import record_contribution_change
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    ReviewStatus,
    SampledCase,
)
from cases.models import Case, ProviderType
from tests.audit.rollup_data import NA, N, S, inspection_of, small_framework
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
    cases = Case.objects.bulk_create(
        Case(
            crn=f"I{inspection.pk:03d}{provider.pk:03d}{i:05d}",
            provider=provider,
            sentence_type="community_order",
            start_date="2026-02-01",
            rosh_level="medium",
            gender="male",
        )
        for i in range(of)
    )
    sampled = SampledCase.objects.bulk_create(
        SampledCase(inspection=inspection, case=case, provider=provider) for case in cases
    )
    made = CaseReview.objects.bulk_create(
        CaseReview(sampled_case=s, status=ReviewStatus.SUBMITTED) for s in sampled
    )
    Judgement.objects.bulk_create(
        Judgement(review=review, key_question=kqs[code], value=value)
        for i, review in enumerate(made)
        for code, value in (
            ("2.1.1", S if i < sufficient else N),
            ("2.1.2", S),
            ("2.2.1", NA),
        )
    )
    record_contribution_change(review_ids=[r.pk for r in made])


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
    Inspection.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=InspectionStatus.PUBLISHED
    )
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
