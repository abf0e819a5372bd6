"""Changes to framework versions: cloning, editing a draft, publishing, importing.

Every change to a draft names the revision the editor loaded (`revision`); a change made on a
stale page is refused with DraftChanged rather than overwriting someone else's edit.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model

from . import framework_file
from .loaders import load_framework
from .models import (
    FROZEN_MESSAGE,
    Domain,
    DraftChanged,
    Framework,
    FrameworkFrozen,
    FrameworkStatus,
    KeyQuestion,
    Prompt,
    RatingBand,
    ScoreBand,
    Standard,
    TimelinessMeasure,
)
from .rating import (
    PercentageBand,
    Rating,
    max_score_for,
    percentage_band_problems,
    score_band_problems,
)
from .rating import ScoreBand as ScoreRange

STALE_MESSAGE = (
    "Someone else changed this draft after you opened it. Your change was not saved: check the "
    "draft as it is now, then make your change again."
)


@transaction.atomic
def clone_framework(*, framework: Framework, version: str, title: str | None = None) -> Framework:
    """Copy a version, with every question and band, as the next draft version."""
    if Framework.objects.filter(code=framework.code, version=version).exists():
        raise ValidationError(
            f"{framework.code} already has a version {version}; choose another version."
        )
    draft = Framework.objects.create(
        code=framework.code,
        version=version,
        title=title or framework.title,
        description=framework.description,
        person_label=framework.person_label,
        agreement_threshold=framework.agreement_threshold,
        fact_rules=framework.fact_rules,
        status=FrameworkStatus.DRAFT,
        previous_version=framework,
    )
    RatingBand.objects.bulk_create(_copy(b, framework=draft) for b in framework.rating_bands.all())
    ScoreBand.objects.bulk_create(_copy(b, framework=draft) for b in framework.score_bands.all())
    TimelinessMeasure.objects.bulk_create(
        _copy(m, framework=draft) for m in framework.timeliness_measures.all()
    )
    domains = {d.pk: _copy(d, framework=draft) for d in framework.domains.all()}
    Domain.objects.bulk_create(domains.values())
    standards = {
        s.pk: _copy(s, framework=draft, domain=domains[s.domain_id])
        for s in framework.standards.all()
    }
    Standard.objects.bulk_create(standards.values())
    key_questions = {
        kq.pk: _copy(kq, standard=standards[kq.standard_id])
        for kq in KeyQuestion.objects.filter(standard__framework=framework)
    }
    KeyQuestion.objects.bulk_create(key_questions.values())
    Prompt.objects.bulk_create(
        _copy(p, key_question=key_questions[p.key_question_id])
        for p in Prompt.objects.filter(key_question__standard__framework=framework)
    )
    return draft


def _copy(part: Model, **parents) -> Model:
    """An unsaved copy of a framework part, every field kept but the key and its new parents,
    so a field added to the model later is cloned without being listed here."""
    values = {
        field.attname: getattr(part, field.attname)
        for field in part._meta.concrete_fields
        if not field.primary_key
    }
    for name, parent in parents.items():
        del values[part._meta.get_field(name).attname]
        values[name] = parent
    return type(part)(**values)


def suggest_next_version(framework: Framework) -> str:
    existing = set(Framework.objects.filter(code=framework.code).values_list("version", flat=True))
    n = 1
    while f"{framework.version}.{n}" in existing:
        n += 1
    return f"{framework.version}.{n}"


@transaction.atomic
def publish_framework(*, framework: Framework, revision: int | None = None) -> Framework:
    """Publish a draft; the published version it replaces becomes Superseded: still readable and
    still scored against by its inspections, no longer offered for new ones."""
    locked = Framework.objects.select_for_update().get(pk=framework.pk)
    if (
        revision is not None
        and locked.status == FrameworkStatus.DRAFT
        and (locked.revision != revision)
    ):
        raise DraftChanged(STALE_MESSAGE)
    replaced = locked.replaced_version()
    locked.publish()
    if replaced is not None:
        Framework.objects.filter(pk=replaced.pk, status=FrameworkStatus.PUBLISHED).update(
            status=FrameworkStatus.SUPERSEDED, superseded_by=locked
        )
    framework.refresh_from_db()
    return framework


@transaction.atomic
def retire_framework(*, framework: Framework) -> Framework:
    if not framework.is_in_use:
        raise ValidationError("Only a published or superseded version can be retired.")
    framework.status = FrameworkStatus.RETIRED
    framework.save()
    return framework


@transaction.atomic
def import_framework(*, raw: bytes) -> Framework:
    """A framework file, checked whole, written as a new draft in one transaction."""
    data = framework_file.read(raw)
    existing = Framework.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is not None:
        raise framework_file.FileRefused(
            [
                framework_file.Problem(
                    "The framework version",
                    "version",
                    f"{existing} is already here ({existing.get_status_display().lower()}): "
                    "change the "
                    "version in the file to import it as a new draft.",
                )
            ]
        )
    framework = load_framework(data=data, publish=False).framework
    return framework


# --- editing a draft -----------------------------------------------------------------------------


def claim_draft(framework: Framework, revision: int | None) -> int:
    """Count a change against the draft as the editor loaded it, returning the new revision:
    refused if the version is no longer a draft (FrameworkFrozen) or was changed since
    (DraftChanged). Call inside the change's transaction, so a change that then fails leaves the
    count as it was; give the framework its new revision once the change is made."""
    drafts = Framework.objects.filter(pk=framework.pk, status=FrameworkStatus.DRAFT)
    if revision is not None:
        drafts = drafts.filter(revision=revision)
    if not drafts.update(revision=F("revision") + 1):
        if Framework.objects.filter(pk=framework.pk).exclude(status=FrameworkStatus.DRAFT).exists():
            raise FrameworkFrozen(FROZEN_MESSAGE.format(framework=framework))
        raise DraftChanged(STALE_MESSAGE)
    return Framework.objects.values_list("revision", flat=True).get(pk=framework.pk)


@transaction.atomic
def update_details(*, framework: Framework, revision: int, **values) -> Framework:
    """Title, version, description, person label and the version it replaces."""
    new_revision = claim_draft(framework, revision)
    for name, value in values.items():
        setattr(framework, name, value)
    framework.revision = new_revision
    framework.full_clean()
    framework.save()
    return framework


@transaction.atomic
def update_bands(
    *, framework: Framework, revision: int, lower_bounds: dict, score_ranges: dict
) -> None:
    """Replace the percentage bands ({rating: lower bound}) and score bands ({rating: (lowest,
    highest)}); refused unless together they form a usable scheme for the draft as it is."""
    new_revision = claim_draft(framework, revision)
    problems = band_problems(framework, lower_bounds, score_ranges)
    if problems:
        raise ValidationError([p.message for p in problems])
    for rating, bound in lower_bounds.items():
        RatingBand.objects.update_or_create(
            framework=framework, rating=rating, defaults={"lower_bound": bound}
        )
    for rating, (low, high) in score_ranges.items():
        ScoreBand.objects.update_or_create(
            framework=framework, rating=rating, defaults={"min_score": low, "max_score": high}
        )
    framework.revision = new_revision


def band_problems(framework: Framework, lower_bounds: dict, score_ranges: dict) -> list:
    """What is wrong with these bands for this framework (its number of standards sets the
    maximum score), each problem naming its band."""
    return percentage_band_problems(
        [PercentageBand(Rating(r), bound) for r, bound in lower_bounds.items()]
    ) + score_band_problems(
        [ScoreRange(Rating(r), low, high) for r, (low, high) in score_ranges.items()],
        max_score_for(framework.standards.count()),
    )


PARTS = {"domain": Domain, "standard": Standard, "key_question": KeyQuestion, "prompt": Prompt}
PARENT_FIELD = {
    Domain: "framework",
    Standard: "domain",
    KeyQuestion: "standard",
    Prompt: "key_question",
}


def siblings(part):
    """The part and the others under the same parent, in order."""
    model = type(part)
    parent = PARENT_FIELD[model]
    return model.objects.filter(**{f"{parent}_id": getattr(part, f"{parent}_id")}).order_by(
        "order", "code", "pk"
    )


@transaction.atomic
def save_part(*, framework: Framework, revision: int, part):
    """Add or change a domain, standard, key question or prompt of a draft. A new part, or one
    moved to another parent, goes last under its parent."""
    new_revision = claim_draft(framework, revision)
    parent = PARENT_FIELD[type(part)]
    stored = type(part).objects.filter(pk=part.pk).values_list(f"{parent}_id", flat=True).first()
    if part.pk is None or stored != getattr(part, f"{parent}_id"):
        last = siblings(part).exclude(pk=part.pk).aggregate(last=Max("order"))["last"]
        part.order = (last or 0) + 1
    if part.get_framework().pk != framework.pk:
        raise ValidationError(f"{part} does not belong to {framework}.")
    part.save()
    if isinstance(part, Standard):
        _renumber_standards(framework)
    framework.revision = new_revision
    return part


@transaction.atomic
def remove_part(*, framework: Framework, revision: int, part) -> None:
    """Remove a part of a draft with everything beneath it."""
    new_revision = claim_draft(framework, revision)
    if part.get_framework().pk != framework.pk:
        raise ValidationError(f"{part} does not belong to {framework}.")
    part.delete()
    framework.revision = new_revision


@transaction.atomic
def move_part(*, framework: Framework, revision: int, part, direction: str) -> None:
    """Move a part one place up or down among the parts under the same parent."""
    new_revision = claim_draft(framework, revision)
    if part.get_framework().pk != framework.pk:
        raise ValidationError(f"{part} does not belong to {framework}.")
    ordered = list(siblings(part))
    index = next(i for i, p in enumerate(ordered) if p.pk == part.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.order = position
        type(part).objects.bulk_update(ordered, ["order"])
        if isinstance(part, (Domain, Standard)):
            _renumber_standards(framework)
    framework.revision = new_revision


def _renumber_standards(framework: Framework) -> None:
    """Standards are numbered through the whole version (the reports list them in that order),
    domain by domain."""
    standards = list(framework.standards.order_by("domain__order", "domain__code", "order", "code"))
    for position, standard in enumerate(standards, start=1):
        standard.order = position
    Standard.objects.bulk_update(standards, ["order"])


def suggest_code(parent) -> str:
    """The next code under a parent: domain 4, standard 2.5, key question 2.1.4, prompt 2.1.3.h."""
    if isinstance(parent, Framework):
        numbers = [int(c) for c in parent.domains.values_list("code", flat=True) if c.isdigit()]
        return str(max(numbers, default=0) + 1)
    children = {Domain: "standards", Standard: "key_questions", KeyQuestion: "prompts"}
    codes = list(getattr(parent, children[type(parent)]).values_list("code", flat=True))
    if isinstance(parent, KeyQuestion):
        letters = [c.rsplit(".", 1)[-1] for c in codes if c.startswith(f"{parent.code}.")]
        used = [
            string.ascii_lowercase.index(x)
            for x in letters
            if len(x) == 1 and x in string.ascii_lowercase
        ]
        following = max(used, default=-1) + 1
        if following < len(string.ascii_lowercase):
            return f"{parent.code}.{string.ascii_lowercase[following]}"
        return ""
    numbers = [c.rsplit(".", 1)[-1] for c in codes if c.startswith(f"{parent.code}.")]
    return f"{parent.code}.{max((int(n) for n in numbers if n.isdigit()), default=0) + 1}"
