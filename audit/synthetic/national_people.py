"""The organisation and people of the national data set: twelve regions of ten PDUs each
(codes NATL-REG-rr and NATL-PDU-rr-pp), a lead, a moderator per region and the assessors of
each region, scoped to it. Created once, in bulk; a later build reuses them."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group

from audit.accounts.roles import Role
from audit.models import User
from cases.models import Provider, ProviderType

CODE_PREFIX = "NATL"
USER_PREFIX = "natl-"
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "Greater Manchester",
    "East Midlands",
    "West Midlands",
    "East of England",
    "Wales",
    "South West",
    "South Central",
    "Kent, Surrey and Sussex",
    "London",
)
PDUS_PER_REGION = 10
UNIFICATION = datetime.date(2021, 6, 26)


def national_providers(region: int | None) -> tuple[list[Provider], list[Provider]]:
    """Every region and PDU (created where missing); those of one region if `region` is given."""
    regions = []
    for r, name in enumerate(REGIONS, start=1):
        provider, _ = Provider.objects.get_or_create(
            code=f"{CODE_PREFIX}-REG-{r:02d}",
            defaults={
                "name": f"{name} region",
                "type": ProviderType.REGION,
                "in_force_from": UNIFICATION,
            },
        )
        regions.append(provider)
    existing = set(
        Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-PDU-").values_list(
            "code", flat=True
        )
    )
    Provider.objects.bulk_create(
        Provider(
            code=f"{CODE_PREFIX}-PDU-{r:02d}-{p:02d}",
            name=f"{REGIONS[r - 1]} PDU {p:02d}",
            type=ProviderType.PDU,
            parent=parent,
            in_force_from=UNIFICATION,
        )
        for r, parent in enumerate(regions, start=1)
        for p in range(1, PDUS_PER_REGION + 1)
        if f"{CODE_PREFIX}-PDU-{r:02d}-{p:02d}" not in existing
    )
    pdus = list(Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-PDU-").order_by("code"))
    if region is not None:
        pdus = [p for p in pdus if p.code.startswith(f"{CODE_PREFIX}-PDU-{region:02d}-")]
        regions = [regions[region - 1]]
    return regions, pdus


def _wanted(regions: list[Provider], assessors_per_region: int) -> list[tuple]:
    """(username, first name, last name, role, region or None for every region)."""
    wanted = [(f"{USER_PREFIX}lead", "National", "Lead", Role.LEAD, None)]
    for region in regions:
        r, place = region.code[-2:], region.name.removesuffix(" region")
        wanted.append((f"{USER_PREFIX}moderator-{r}", place, "Moderator", Role.MODERATOR, region))
        wanted += [
            (f"{USER_PREFIX}assessor-{r}-{a:03d}", f"Assessor {a}", place, Role.ASSESSOR, region)
            for a in range(1, assessors_per_region + 1)
        ]
    return wanted


def _create(new: list[tuple]) -> None:
    """The people not yet there, with their roles and scopes, in bulk."""
    created = User.objects.bulk_create(
        User(username=u, first_name=f, last_name=last, email=f"{u}@example.gov.uk", password="!")
        for u, f, last, role, region in new  # no password: these people never sign in
    )
    created = (
        {u.username: u for u in User.objects.filter(username__in=[u for u, *_ in new])}
        if created[0].pk is None
        else {u.username: u for u in created}
    )
    groups = {g.name: g for g in Group.objects.filter(name__in=list(Role.values))}
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=created[u].pk, group_id=groups[role].pk)
        for u, f, last, role, region in new
    )
    every_region = [r.pk for r in Provider.objects.filter(code__startswith=f"{CODE_PREFIX}-REG-")]
    User.providers.through.objects.bulk_create(
        User.providers.through(user_id=created[u].pk, provider_id=p)
        for u, f, last, role, region in new
        for p in ([region.pk] if region else every_region)
    )


def national_people(regions: list[Provider], assessors_per_region: int) -> dict:
    """The lead, a moderator per region and the assessors of each region (created once)."""
    wanted = _wanted(regions, assessors_per_region)
    existing = set(
        User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True)
    )
    new = [person for person in wanted if person[0] not in existing]
    if new:
        _create(new)
    users = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    return {
        "lead": users[f"{USER_PREFIX}lead"],
        "moderators": {
            region.pk: users[f"{USER_PREFIX}moderator-{region.code[-2:]}"] for region in regions
        },
        "assessors": {
            region.pk: [
                users[f"{USER_PREFIX}assessor-{region.code[-2:]}-{a:03d}"]
                for a in range(1, assessors_per_region + 1)
            ]
            for region in regions
        },
    }
