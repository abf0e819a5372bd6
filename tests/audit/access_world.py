"""A small world for access tests: two regions, each with a PDU, its people and an inspection.

Side A is the world the URLs are filled from; side B mirrors it, so every role has an
out-of-scope twin who can see B's objects but none of A's. Each inspection has:

- a review in progress, assigned to the side's assessor (CRN X?0001), and
- a submitted review with a completed second read by the side's moderator that disagrees with
  the first read on 2.1.2 (CRN X?0002),

drawn from a sample of the PDU's caseload. Leads and managers are scoped to the region (so the
hierarchy counts); assessors and moderators to the PDU. Each side also has an onlooker: a second
lead of the region, who sees everything of the side's inspection but neither leads it nor is on
its team, so may change nothing in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.accounts.roles import Role
from audit.models import CaseReview, InspectionStatus, ReviewStatus, SampledCase
from cases.models import ProviderType
from tests.audit.moderation_support import (
    N,
    S,
    completed_read,
    published_framework,
    submitted_review,
)
from tests.audit.scoring_support import draw_sample
from tests.factories import CaseFactory, InspectionFactory, ProviderFactory, UserFactory

ROLES = [Role.ASSESSOR, Role.MODERATOR, Role.LEAD, Role.MANAGER]


@dataclass
class Side:
    tag: str
    region: object
    pdu: object
    users: dict
    inspection: object
    sample: object
    open_crn: str
    moderated_crn: str
    onlooker: object
    secrets: list = field(default_factory=list)  # text that only this side's people may see


@dataclass
class World:
    framework: object
    a: Side
    b: Side
    admin: object

    def user(self, principal: str):
        """'anonymous', 'admin', 'onlooker', a role name (side A) or a role name + '_b' (side B)."""
        if principal == "anonymous":
            return None
        if principal == "admin":
            return self.admin
        if principal == "onlooker":
            return self.a.onlooker
        if principal.endswith("_b"):
            return self.b.users[principal[:-2]]
        return self.a.users[principal]


def _side(framework, tag: str, name: str) -> Side:
    region = ProviderFactory(type=ProviderType.REGION, code=f"REG-{tag}", name=f"{name} region")
    pdu = ProviderFactory(code=f"PDU-{tag}", name=f"{name} PDU", parent=region)
    users = {}
    for role in ROLES:
        scope = [region] if role in (Role.LEAD, Role.MANAGER) else [pdu]
        users[role] = UserFactory(
            username=f"{role}-{tag.lower()}",
            roles=[role],
            scope=scope,
            first_name=role.title(),
            last_name=f"of {tag}",
        )
    inspection = InspectionFactory(
        title=f"{name} inspection",
        framework=framework,
        providers=[pdu],
        lead=users[Role.LEAD],
        status=InspectionStatus.FIELDWORK,
    )
    inspection.team.add(users[Role.ASSESSOR], users[Role.MODERATOR])
    inspection.test_provider = pdu
    open_crn, moderated_crn = f"X{tag}0001", f"X{tag}0002"

    case = CaseFactory(provider=pdu, crn=open_crn)
    sampled = SampledCase.objects.create(
        inspection=inspection, case=case, provider=pdu, assessor=users[Role.ASSESSOR]
    )
    CaseReview.objects.create(sampled_case=sampled, status=ReviewStatus.IN_PROGRESS)

    review = submitted_review(
        inspection,
        users[Role.ASSESSOR],
        [S, N, S],
        crn=moderated_crn,
        rationale=f"{name} first reader's reasons",
    )
    completed_read(review, users[Role.MODERATOR], [S, S, S])

    sample = draw_sample([case, review.sampled_case.case])
    inspection.sample = sample
    inspection.save(update_fields=["sample"])
    onlooker = UserFactory(
        username=f"onlooker-{tag.lower()}",
        roles=[Role.LEAD],
        scope=[region],
        first_name="Onlooker",
        last_name=f"of {tag}",
    )
    return Side(
        tag,
        region,
        pdu,
        users,
        inspection,
        sample,
        open_crn,
        moderated_crn,
        onlooker,
        secrets=[open_crn, moderated_crn, f"{name} inspection", f"{name} PDU", f"{name} region"],
    )


def build_world() -> World:
    framework = published_framework()
    a = _side(framework, "A", "Alderley")
    b = _side(framework, "B", "Bramhall")
    admin = UserFactory(username="admin-user", roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    return World(framework, a, b, admin)
