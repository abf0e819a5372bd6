"""Changes to framework versions."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from .models import Domain, Framework, FrameworkStatus, KeyQuestion, Prompt, RatingBand, ScoreBand, Standard


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
        status=FrameworkStatus.DRAFT,
        previous_version=framework,
    )
    RatingBand.objects.bulk_create(_copy(b, framework=draft) for b in framework.rating_bands.all())
    ScoreBand.objects.bulk_create(_copy(b, framework=draft) for b in framework.score_bands.all())
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
def publish_framework(*, framework: Framework) -> Framework:
    framework.publish()
    return framework


@transaction.atomic
def retire_framework(*, framework: Framework) -> Framework:
    if framework.status != FrameworkStatus.PUBLISHED:
        raise ValidationError("Only a published version can be retired.")
    framework.status = FrameworkStatus.RETIRED
    framework.save()
    return framework
