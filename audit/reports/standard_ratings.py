"""Lead-entered standard ratings: judgement-rated standards and overrides of case-data ratings.

Every change is kept by simple-history (who, when, the rating and rationale before and after), so
the audit trail the rating rules ask for is the history of StandardJudgement.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Inspection, SampledCase, StandardJudgement
from audit.trail import trail
from cases.models import Provider
from standards.models import RatedBy, Standard
from standards.rating import Rating


def inspection_has_provider(inspection: Inspection, provider: Provider) -> bool:
    return (
        inspection.providers.filter(pk=provider.pk).exists()
        or SampledCase.objects.filter(inspection=inspection, provider=provider).exists()
    )


def _check(inspection: Inspection, provider: Provider, standard: Standard):
    if inspection.is_published:
        raise ValidationError(
            f"“{inspection}” is published, so its ratings are final and cannot be changed."
        )
    if standard.framework_id != inspection.framework_id:
        raise ValidationError(
            f"Standard {standard.code} belongs to {standard.framework}, not to this inspection's "
            f"framework ({inspection.framework})."
        )
    if not inspection_has_provider(inspection, provider):
        raise ValidationError(f"{provider} ({provider.code}) is not part of “{inspection}”.")


@transaction.atomic
def record_standard_rating(
    *,
    inspection: Inspection,
    provider: Provider,
    standard: Standard,
    rating: str,
    rationale: str,
    user,
) -> StandardJudgement:
    """Enter (or change) a lead's rating of a standard for a provider, with its rationale.

    For a standard rated by judgement this is its rating; for a case-data standard it is an
    override, reported beside the data-driven rating.
    """
    _check(inspection, provider, standard)
    if rating not in Rating.values:
        raise ValidationError(
            f"“{rating}” is not a rating; choose one of {', '.join(Rating.labels)}."
        )
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError(f"Enter the rationale for the rating of standard {standard.code}.")
    entry = (
        StandardJudgement.objects.select_for_update()
        .filter(inspection=inspection, provider=provider, standard=standard)
        .first()
    )
    if entry is None:
        entry = StandardJudgement(inspection=inspection, provider=provider, standard=standard)
    entry.rating = rating
    entry.rationale = rationale
    entry.entered_by = user
    entry._history_user = user
    entry.save()
    override = standard.rated_by == RatedBy.CASE_DATA
    trail.record(
        user=user,
        action=trail.Action.OVERRIDDEN if override else trail.Action.CHANGED,
        obj=inspection,
        object_type="standard_rating",
        label=(
            f"{inspection}: {provider.code} standard {standard.code} "
            f"{'overridden as' if override else 'rated'} {Rating(rating).label}"
        ),
        detail={"provider": provider.code, "standard": standard.code, "rating": rating},
    )
    return entry


@transaction.atomic
def withdraw_standard_rating(
    *, inspection: Inspection, provider: Provider, standard: Standard, user
) -> bool:
    """Remove a lead's rating (for a case-data standard: the data-driven rating counts again).

    Returns whether there was one. The history keeps the withdrawn rating and who withdrew it.
    """
    _check(inspection, provider, standard)
    entry = StandardJudgement.objects.filter(
        inspection=inspection, provider=provider, standard=standard
    ).first()
    if entry is None:
        return False
    entry._history_user = user
    entry.delete()
    trail.record(
        user=user,
        action=trail.Action.CHANGED,
        obj=inspection,
        object_type="standard_rating",
        label=f"{inspection}: {provider.code} standard {standard.code} rating withdrawn",
        detail={"provider": provider.code, "standard": standard.code},
    )
    return True
