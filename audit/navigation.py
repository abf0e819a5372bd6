"""The service's main sections, shown in the header and on the home page.

Each section says who may see it, so navigation never offers a page that would be refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    description: str
    visible_to: Callable = lambda user: True


SECTIONS: list[Section] = []


def register(section: Section) -> Section:
    SECTIONS.append(section)
    return section


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
                "active": request.path.startswith(url) and url != "/",
            }
        )
    return items
