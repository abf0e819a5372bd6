"""Loading a framework version from its shipped JSON data, idempotently."""
from __future__ import annotations

from pathlib import Path

from django.db import transaction

from . import framework_file
from .models import (
    Domain,
    Framework,
    FrameworkStatus,
    KeyQuestion,
    Prompt,
    RatingBand,
    ScoreBand,
    Standard,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = ["hmip_case_supervision_2018.json", "hmip_case_supervision_2021.json"]


def shipped_files() -> list[Path]:
    return [DATA_DIR / name for name in SHIPPED]


@transaction.atomic
def load_framework(*, data: dict, publish: bool = True) -> tuple[Framework, bool]:
    """Create the version described by `data` unless it exists; returns (framework, created).

    An existing version is left untouched: a published version is frozen, and a draft may
    already carry an admin's edits.
    """
    existing = Framework.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is not None:
        return existing, False
    framework = Framework.objects.create(
        code=data["code"],
        version=data["version"],
        title=data["title"],
        description=data.get("description", ""),
        person_label=data.get("person_label", "person on probation"),
        status=FrameworkStatus.DRAFT,
    )
    RatingBand.objects.bulk_create(
        RatingBand(framework=framework, rating=b["rating"], lower_bound=b["lower_bound"])
        for b in data["rating_bands"]
    )
    ScoreBand.objects.bulk_create(
        ScoreBand(framework=framework, rating=b["rating"], min_score=b["min_score"],
                  max_score=b["max_score"])
        for b in data["score_bands"]
    )
    standard_order = 0
    for d_order, d in enumerate(data["domains"], start=1):
        domain = Domain.objects.create(
            framework=framework, code=d["code"], title=d["title"], order=d_order
        )
        for s in d["standards"]:
            standard_order += 1
            standard = Standard.objects.create(
                framework=framework,
                domain=domain,
                code=s["code"],
                title=s["title"],
                description=s.get("description", ""),
                rated_by=s["rated_by"],
                order=standard_order,
            )
            for k_order, k in enumerate(s.get("key_questions", []), start=1):
                key_question = KeyQuestion.objects.create(
                    standard=standard,
                    code=k["code"],
                    lens=k["lens"],
                    wording=k["wording"],
                    guidance=k.get("guidance", ""),
                    allows_not_applicable=k.get("allows_not_applicable", False),
                    applicability=k.get("applicability") or {},
                    order=k_order,
                )
                Prompt.objects.bulk_create(
                    Prompt(
                        key_question=key_question,
                        code=p["code"],
                        wording=p["wording"],
                        guidance=p.get("guidance", ""),
                        allows_not_applicable=p.get("allows_not_applicable", True),
                        applicability=p.get("applicability") or {},
                        order=p_order,
                    )
                    for p_order, p in enumerate(k.get("prompts", []), start=1)
                )
    if publish:
        framework.publish()
    return framework, True


def load_framework_file(path, *, publish: bool = True) -> tuple[Framework, bool]:
    """Load a framework file, checked first (FileRefused names every problem)."""
    with open(path, "rb") as handle:
        return load_framework(data=framework_file.read(handle.read()), publish=publish)
