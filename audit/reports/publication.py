"""Publishing an inspection: what will be published, the two safeguards, and the record kept.

Publication is irreversible, so it goes through a confirmation page that shows the overall and
standard ratings, the counts and the agreement between first and second reads. Two things must
be acknowledged before it goes ahead:

- an incomplete overall rating (some provider has standards without a rating): the lead
  publishes it explicitly as partial, giving a reason;
- agreement below the framework version's threshold (`Framework.agreement_threshold`, Cohen's
  kappa) on at least MIN_PAIRS_TO_JUDGE pairs: the lead acknowledges it with a note. Fewer pairs
  say too little to judge, and a kappa that is not defined (both readers used one judgement
  only) is not below anything.

The checks are made again under the inspection's lock when publishing, so a change made since
the confirmation page was shown is caught; the acknowledgements are kept in a `Publication`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.inspections import lifecycle
from audit.models import Inspection, InspectionStatus, Publication, ensure_not_published
from audit.moderation.agreement import MIN_PAIRS_TO_JUDGE, Agreement, agreement_table
from audit.moderation.services import progress_by_inspection
from audit.notifications import events as notification_events
from audit.reports.rollup import rollup
from audit.reports.rollup_results import InspectionRollup, ProviderRollup

PARTIAL_REASON_REQUIRED = (
    "Enter why you are publishing with an incomplete overall rating, or rate the missing "
    "standards first."
)
AGREEMENT_NOTE_REQUIRED = (
    "Enter a note acknowledging the agreement between first and second reads, which is below "
    "the threshold set in the framework."
)


def agreement_needs_note(result: Agreement, threshold: Decimal) -> bool:
    """Agreement too low to publish without a note: kappa below the threshold on enough pairs."""
    return (
        result.pairs >= MIN_PAIRS_TO_JUDGE
        and result.kappa is not None
        and result.kappa < Fraction(threshold)
    )


def incomplete_overall(result: InspectionRollup) -> list[ProviderRollup]:
    """The providers (or, with none, the whole inspection) whose overall rating is partial."""
    rated = result.providers or (result.whole,)
    return [p for p in rated if p.overall.is_partial]


@dataclass(frozen=True)
class PublicationSummary:
    """What publishing the inspection would publish, and what must be acknowledged first."""

    inspection: Inspection
    rollup: InspectionRollup
    agreement: Agreement
    threshold: Decimal
    progress: dict
    blockers: list[str]
    incomplete: list[ProviderRollup]

    @property
    def needs_partial_reason(self) -> bool:
        return bool(self.incomplete)

    @property
    def needs_agreement_note(self) -> bool:
        return agreement_needs_note(self.agreement, self.threshold)

    @property
    def min_pairs(self) -> int:
        return MIN_PAIRS_TO_JUDGE


def _blockers(inspection: Inspection) -> list[str]:
    if inspection.status != InspectionStatus.MODERATION:
        status = InspectionStatus(inspection.status).label.lower()
        return [
            f"The inspection cannot be published: it is in {status}, and is published from "
            "moderation."
        ]
    return lifecycle.publication_blockers(inspection)


def publication_summary(inspection: Inspection) -> PublicationSummary:
    result = rollup(inspection)
    return PublicationSummary(
        inspection=inspection,
        rollup=result,
        agreement=agreement_table(inspection).overall,
        threshold=inspection.framework.agreement_threshold,
        progress=progress_by_inspection([inspection.pk])[inspection.pk],
        blockers=_blockers(inspection),
        incomplete=incomplete_overall(result),
    )


def _acknowledgement_errors(summary, partial_reason: str, agreement_note: str) -> dict:
    errors = {}
    if summary.needs_partial_reason and not partial_reason:
        errors["partial_reason"] = [PARTIAL_REASON_REQUIRED]
    if summary.needs_agreement_note and not agreement_note:
        errors["agreement_note"] = [AGREEMENT_NOTE_REQUIRED]
    return errors


def _kappa(result: Agreement) -> Decimal | None:
    if result.kappa is None:
        return None
    exact = Decimal(result.kappa.numerator) / Decimal(result.kappa.denominator)
    return exact.quantize(Decimal("0.001"))


@transaction.atomic
def publish_inspection(
    *, inspection: Inspection, by, partial_reason: str = "", agreement_note: str = ""
) -> Publication:
    """Publish the inspection, refusing (with the message at its field) an incomplete overall
    rating without a reason or low agreement without a note. An acknowledgement that was not
    needed is not kept."""
    locked = lifecycle.lock(inspection)
    ensure_not_published(locked)
    summary = publication_summary(locked)
    partial_reason, agreement_note = partial_reason.strip(), agreement_note.strip()
    errors = _acknowledgement_errors(summary, partial_reason, agreement_note)
    if errors:
        raise ValidationError(errors)
    published = lifecycle.publish(inspection=locked, by=by)
    publication = Publication.objects.create(
        inspection=published,
        published_by=by,
        published_at=published.published_at,
        partial_reason=partial_reason if summary.needs_partial_reason else "",
        agreement_note=agreement_note if summary.needs_agreement_note else "",
        kappa=_kappa(summary.agreement),
        agreement_pairs=summary.agreement.pairs,
        agreement_threshold=summary.threshold,
    )
    inspection.status, inspection.published_at = published.status, published.published_at
    notification_events.report_published(inspection=published, by=by)
    return publication
