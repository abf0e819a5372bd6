"""A region audited PDU by PDU, for the pooled figures and funnel plot tests.

North region: PDU A 30 of 100 sufficient on 2.1.1 (30%), PDU B 18 of 20 (90%), PDU C 18 of 20
(90%), each in an inspection of its own. Pooled: 66 of 140 = 47.1%, Inadequate; the mean of
the percentages would be 70%, Good. South region: PDU D 15 of 20 on 2.1.1.
"""

from __future__ import annotations

import datetime

from cases.models import ProviderType
from tests.audit.rollup_data import inspection_of, judged, provider, publish


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
