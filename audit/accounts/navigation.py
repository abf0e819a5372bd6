"""The service's main sections, shown in the header and on the home page.

Each section says who may see it, so navigation never offers a page that would be refused. A
section whose page does not exist yet is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from audit.accounts.roles import (
    DRAW_SAMPLES,
    IMPORT_CASELOADS,
    READ_SECOND,
    SEE_INSPECTIONS,
    SEE_TRAIL,
    Role,
    has_role,
    may,
)


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    description: str
    visible_to: Callable = lambda user: True


SECTIONS: list[Section] = [
    Section(
        "My cases",
        "audit:my_cases",
        "Cases assigned to you to score.",
        lambda u: has_role(u, Role.ASSESSOR),
    ),
    Section(
        "Inspections",
        "audit:inspection_list",
        "Audit rounds, samples, assignments and progress.",
        lambda u: may(u, SEE_INSPECTIONS),
    ),
    Section(
        "Moderation",
        "moderation:index",
        "Second reads and agreement between assessors.",
        lambda u: may(u, READ_SECOND),
    ),
    Section(
        "Caseloads",
        "cases:provider_list",
        "Providers, caseload imports and sampling.",
        lambda u: may(u, IMPORT_CASELOADS) or may(u, DRAW_SAMPLES),
    ),
    Section(
        "Reports",
        "reports:index",
        "Sufficiency, ratings, trends and league tables.",
        lambda u: may(u, SEE_INSPECTIONS),
    ),
    Section(
        "Audit trail",
        "trail:events",
        "Who viewed, exported or changed reviews and reports.",
        lambda u: may(u, SEE_TRAIL),
    ),
]


def sections_for(request):
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for section in SECTIONS:
        if not section.visible_to(user):
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": section.label,
                "url": url,
                "description": section.description,
                "active": request.path.startswith(url),
            }
        )
    return items
