"""Loading a framework version from its shipped JSON data, idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

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
    TimelinessMeasure,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = ["hmip_case_supervision_2018.json", "hmip_case_supervision_2021.json"]


def shipped_files() -> list[Path]:
    return [DATA_DIR / name for name in SHIPPED]


class Loaded(NamedTuple):
    framework: Framework
    created: bool
    guidance_updated: int = 0  # texts of an existing frozen version brought up to date


@transaction.atomic
def _create_key_questions(standard: Standard, key_questions: list[dict]) -> None:
    """A standard's key questions, each with its prompts, in the order given."""
    for k_order, k in enumerate(key_questions, start=1):
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


def load_framework(*, data: dict, publish: bool = True) -> Loaded:
    """Create the version described by `data` unless it exists.

    An existing published or retired version keeps everything it was published with except its
    guidance, which is brought up to date (see `refresh_guidance`). An existing draft is left
    untouched: it may already carry an admin's edits.
    """
    existing = Framework.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is not None:
        updated = 0
        if existing.is_frozen:
            updated = refresh_guidance(framework=existing, data=data)
            add_missing_fact_rules(framework=existing, data=data)
        add_missing_timeliness_measures(framework=existing, data=data)
        return Loaded(existing, False, updated)
    framework = Framework.objects.create(
        code=data["code"],
        version=data["version"],
        title=data["title"],
        description=data.get("description", ""),
        person_label=data.get("person_label", "person on probation"),
        fact_rules=data.get("fact_rules") or [],
        status=FrameworkStatus.DRAFT,
    )
    RatingBand.objects.bulk_create(
        RatingBand(framework=framework, rating=b["rating"], lower_bound=b["lower_bound"])
        for b in data["rating_bands"]
    )
    ScoreBand.objects.bulk_create(
        ScoreBand(
            framework=framework,
            rating=b["rating"],
            min_score=b["min_score"],
            max_score=b["max_score"],
        )
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
            _create_key_questions(standard, s.get("key_questions", []))
    add_missing_timeliness_measures(framework=framework, data=data)
    if publish:
        framework.publish()
    return Loaded(framework, True)


def refresh_guidance(*, framework: Framework, data: dict) -> int:
    """Give a frozen version the guidance text of `data`; returns how many texts changed.

    Guidance explains a question to the assessor: no answer, judgement or rating depends on it,
    so better guidance does not change what a published version asks or how it scores. Only the
    guidance column is written, matched by code; wording, applicability and every other field
    stay as published, and questions that `data` does not hold keep their text. The write goes
    through `bulk_update`, which skips the parts' frozen check on purpose; the admin and `save()`
    still refuse every edit of a frozen version, guidance included.
    """
    key_question_texts, prompt_texts = {}, {}
    for d in data["domains"]:
        for s in d["standards"]:
            for k in s.get("key_questions", []):
                key_question_texts[(s["code"], k["code"])] = k.get("guidance", "")
                for p in k.get("prompts", []):
                    prompt_texts[(s["code"], k["code"], p["code"])] = p.get("guidance", "")
    key_questions = _with_new_guidance(
        KeyQuestion,
        KeyQuestion.objects.filter(standard__framework=framework).values_list(
            "pk", "guidance", "standard__code", "code"
        ),
        key_question_texts,
    )
    prompts = _with_new_guidance(
        Prompt,
        Prompt.objects.filter(key_question__standard__framework=framework).values_list(
            "pk", "guidance", "key_question__standard__code", "key_question__code", "code"
        ),
        prompt_texts,
    )
    KeyQuestion.objects.bulk_update(key_questions, ["guidance"])
    Prompt.objects.bulk_update(prompts, ["guidance"])
    return len(key_questions) + len(prompts)


def add_missing_fact_rules(*, framework: Framework, data: dict) -> bool:
    """Give a frozen version loaded before fact rules were shipped the rules of `data`.

    Only a version with no rules at all receives them; rules a version already holds are never
    changed. The rules keep an assessor's record of the case consistent (a follow-up question
    is not answered when the answer before it rules it out); they change no prompt, judgement,
    band or rating. Written by `update`, past the frozen check, as `refresh_guidance` is.
    """
    rules = data.get("fact_rules") or []
    if framework.fact_rules or not rules:
        return False
    Framework.objects.filter(pk=framework.pk).update(fact_rules=rules)
    framework.fact_rules = rules
    return True


def add_missing_timeliness_measures(*, framework: Framework, data: dict | None = None) -> int:
    """Give a version the timeliness measures of its framework file (`data`; without one, or
    without the list, the shipped measures at their shipped limits) that it lacks; a measure it
    holds keeps its limit. Written by `bulk_create`, past the frozen check, as
    `add_missing_fact_rules` is: a version loaded before timeliness measures were shipped gains
    them once, as migration 0005 gave every version then held."""
    held = set(framework.timeliness_measures.values_list("code", flat=True))
    missing = [
        TimelinessMeasure(framework=framework, code=code, limit_working_days=limit, order=i)
        for i, (code, limit) in enumerate(framework_file.timeliness_measures(data or {}), start=1)
        if code not in held
    ]
    TimelinessMeasure.objects.bulk_create(missing)
    return len(missing)


def _with_new_guidance(model, rows, texts: dict) -> list:
    """Unsaved parts (key and guidance only) whose stored guidance differs from `texts`."""
    changed = []
    for pk, guidance, *codes in rows:
        text = texts.get(tuple(codes), guidance)
        if text != guidance:
            changed.append(model(pk=pk, guidance=text))
    return changed


def load_framework_file(path, *, publish: bool = True) -> Loaded:
    """Load a framework file, checked first (FileRefused names every problem)."""
    with open(path, "rb") as handle:
        return load_framework(data=framework_file.read(handle.read()), publish=publish)
