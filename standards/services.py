"""Changes to framework versions."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

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
    RatingBand.objects.bulk_create(
        RatingBand(framework=draft, rating=b.rating, lower_bound=b.lower_bound)
        for b in framework.rating_bands.all()
    )
    ScoreBand.objects.bulk_create(
        ScoreBand(framework=draft, rating=b.rating, min_score=b.min_score, max_score=b.max_score)
        for b in framework.score_bands.all()
    )
    domains = {}
    for domain in framework.domains.all():
        domains[domain.pk] = Domain.objects.create(
            framework=draft, code=domain.code, title=domain.title, order=domain.order
        )
    standards = {}
    for standard in framework.standards.all():
        standards[standard.pk] = Standard.objects.create(
            framework=draft,
            domain=domains[standard.domain_id],
            code=standard.code,
            title=standard.title,
            description=standard.description,
            rated_by=standard.rated_by,
            order=standard.order,
        )
    key_questions = {}
    for kq in KeyQuestion.objects.filter(standard__framework=framework):
        key_questions[kq.pk] = KeyQuestion.objects.create(
            standard=standards[kq.standard_id],
            code=kq.code,
            lens=kq.lens,
            wording=kq.wording,
            guidance=kq.guidance,
            allows_not_applicable=kq.allows_not_applicable,
            applicability=kq.applicability,
            order=kq.order,
        )
    Prompt.objects.bulk_create(
        Prompt(
            key_question=key_questions[p.key_question_id],
            code=p.code,
            wording=p.wording,
            guidance=p.guidance,
            allows_not_applicable=p.allows_not_applicable,
            applicability=p.applicability,
            order=p.order,
        )
        for p in Prompt.objects.filter(key_question__standard__framework=framework)
    )
    return draft


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
