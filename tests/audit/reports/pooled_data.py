"""A region audited PDU by PDU, for the pooled figures and funnel plot tests.

North region: PDU A 30 of 100 sufficient on 2.1.1 (30%), PDU B 18 of 20 (90%), PDU C 18 of 20
(90%), each in an inspection of its own. Pooled: 66 of 140 = 47.1%, Inadequate; the mean of
the percentages would be 70%, Good. South region: PDU D 15 of 20 on 2.1.1.
"""

from __future__ import annotations

import datetime
import itertools

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
from tests.audit.rollup_data import NA, N, S, inspection_of, provider

_crn = itertools.count(1)


def judged(inspection, unit, figures: dict, reviews: int):
    """`reviews` submitted reviews of cases of `unit`; `figures` maps a key question to
    (sufficient, applicable): the first cases sufficient, then not, the rest not applicable."""
    cases = Case.objects.bulk_create(
        Case(
            crn=f"P{next(_crn):07d}",
            provider=unit,
            sentence_type="community_order",
            start_date="2026-02-01",
            rosh_level="medium",
            gender="male",
        )
        for _ in range(reviews)
    )
    sampled = SampledCase.objects.bulk_create(
        SampledCase(inspection=inspection, case=case, provider=unit) for case in cases
    )
    written = CaseReview.objects.bulk_create(
        CaseReview(sampled_case=s, status=ReviewStatus.SUBMITTED) for s in sampled
    )
    judgements = []
    for kq, (sufficient, applicable) in figures.items():
        for i, review in enumerate(written):
            value = S if i < sufficient else (N if i < applicable else NA)
            judgements.append(Judgement(review=review, key_question=kq, value=value))
    Judgement.objects.bulk_create(judgements)
    record_contribution_change(review_ids=[r.pk for r in written])


def publish(*inspections):
    Inspection.objects.filter(id__in=[i.id for i in inspections]).update(
        status=InspectionStatus.PUBLISHED
    )


def region_of_pdus(framework, kqs, *, region_code="NORTH", figures=None, end_month=3):
    """A region and its PDUs, each PDU inspected on its own and published."""
    figures = figures or {"PDU-A": (30, 100), "PDU-B": (18, 20), "PDU-C": (18, 20)}
    region = provider(
        code=region_code, name=f"{region_code.title()} region", type=ProviderType.REGION
    )
    pdus = {}
    for month, (code, (sufficient, applicable)) in enumerate(figures.items(), start=end_month):
        pdu = provider(code=code, name=f"PDU {code[-1]}", type=ProviderType.PDU, parent=region)
        inspection = inspection_of(
            framework,
            pdu,
            title=f"{pdu.name} inspection",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, month, 28),
        )
        judged(inspection, pdu, {kqs["2.1.1"]: (sufficient, applicable)}, applicable)
        publish(inspection)
        pdus[code] = (pdu, inspection)
    return region, pdus
