"""The roll-up's copy on each review, answer and judgement: where a row counts and the value
counted, kept in step by the querysets' bulk writes and by the signals below.

The models are looked up from the app registry (`_registered`), as the models that use these
querysets are defined in the modules that import this one.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Coalesce

from audit.models.choices import COUNTED_REVIEW_STATUSES
from cases.models import Provider


def _registered(name: str):
    return apps.get_model("audit", name)


class CountedValuesQuerySet(models.QuerySet):
    """A queryset whose bulk writes keep the roll-up's copy in step (see `refresh_counted`).

    Writing one of `watched` (with update() or bulk_update()), or creating rows that bear on
    what is counted, refreshes the copy on the rows affected in the same transaction. Single
    saves and deletions are covered by the signals at the end of this module.
    """

    watched: frozenset[str] = frozenset()
    refresh_on_create = False
    # Columns read before an update, for may_change_counted().
    found_columns: tuple[str, ...] = ("pk",)

    def refresh(self, pks, changed: set[str]) -> None:
        """Bring the copy in step after the `changed` fields of the rows with these pks."""
        raise NotImplementedError

    def refresh_created(self, objs) -> None:
        self.refresh([obj.pk for obj in objs], set(self.watched))

    def may_change_counted(self, found: list[dict], kwargs: dict) -> bool:
        """Whether updating the rows `found` with `kwargs` can change what the roll-up counts."""
        return True

    def _watched_in(self, names) -> set[str]:
        return self.watched & {name.removesuffix("_id") for name in names}

    def update(self, **kwargs):
        if not self._watched_in(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            # Only the rows found here are changed, so none escapes the refresh.
            found = list(self.values(*self.found_columns))
            pks = [row["pk"] for row in found]
            changed = models.QuerySet.update(self.filter(pk__in=pks), **kwargs)
            if self.may_change_counted(found, kwargs):
                self.refresh(pks, self._watched_in(kwargs))
        return changed

    def bulk_update(self, objs, fields, *args, **kwargs):
        fields = list(fields)
        if not self._watched_in(fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            rows = super().bulk_update(objs, fields, *args, **kwargs)
            self.refresh([obj.pk for obj in objs], self._watched_in(fields))
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        if not self.refresh_on_create:
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            objs = super().bulk_create(objs, *args, **kwargs)
            self.refresh_created(objs)
        return objs


class SampledCaseQuerySet(CountedValuesQuerySet):
    watched = frozenset({"inspection", "provider"})

    def refresh(self, pks, changed):
        refresh_review_copy(models.Q(sampled_case_id__in=pks))
        within = models.Q(review__sampled_case_id__in=pks)
        refresh_counted(judgements=within, answers=within)


class CaseReviewQuerySet(CountedValuesQuerySet):
    watched = frozenset({"status", "sampled_case"})
    found_columns = ("pk", "status")

    def refresh(self, pks, changed):
        if "sampled_case" in changed:  # never changed by the services, but possible
            refresh_review_copy(models.Q(pk__in=pks))
        within = models.Q(review_id__in=pks)
        refresh_counted(judgements=within, answers=within)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_review_copy(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def may_change_counted(self, found, kwargs):
        # Moving between statuses that do not count (a first save: not started to in progress)
        # leaves the review's answers and judgements uncounted, so they need no refresh.
        status = kwargs.get("status")
        if self._watched_in(kwargs) != {"status"} or not isinstance(status, str):
            return True
        statuses = {status, *(row["status"] for row in found)}
        return bool(statuses & set(COUNTED_REVIEW_STATUSES))


class ReviewValuesQuerySet(CountedValuesQuerySet):
    """A review's answers or judgements: each row's own value is what the roll-up counts."""

    watched = frozenset({"value", "review"})
    refresh_on_create = True
    counted: str  # which of refresh_counted()'s copies these rows are

    def refresh(self, pks, changed):
        refresh_counted(**{self.counted: models.Q(pk__in=pks)})

    def refresh_created(self, objs):
        refresh_counted(**{self.counted: models.Q(review_id__in={obj.review_id for obj in objs})})


class PromptAnswerQuerySet(ReviewValuesQuerySet):
    counted = "answers"


class JudgementQuerySet(ReviewValuesQuerySet):
    counted = "judgements"


class ResolutionQuerySet(CountedValuesQuerySet):
    watched = frozenset({"value", "judgement"})
    refresh_on_create = True

    def refresh(self, pks, changed):
        refresh_counted(judgements=models.Q(resolution__pk__in=pks))

    def refresh_created(self, objs):
        refresh_counted(judgements=models.Q(pk__in={obj.judgement_id for obj in objs}))


class RollupPlace(models.Model):
    """The roll-up's copy of where a row counts: its sampled case's inspection and provider,
    derived, never entered (see `refresh_review_copy` and `refresh_counted`)."""

    rollup_inspection = models.ForeignKey(
        "audit.Inspection",
        null=True,
        editable=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    rollup_provider = models.ForeignKey(
        Provider,
        null=True,
        editable=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )

    class Meta:
        abstract = True


# The roll-up's copy on each judgement ------------------------------------------------------


def refresh_counted(*, judgements: models.Q | None = None, answers: models.Q | None = None) -> None:
    """Recompute the roll-up's copy (inspection, provider, value counted) on the judgements
    and prompt answers matching these filters, from the reviews, sampled cases and resolutions
    as stored now: one UPDATE each, whatever the number of rows.

    Called by the querysets above and the signals below whenever something it derives from
    changes, so `rollup_value` is the value counted (for a judgement, its resolution's where
    there is one) while the review counts, and blank while it does not.
    """
    CaseReview, Judgement, PromptAnswer, Resolution = (
        _registered(name) for name in ("CaseReview", "Judgement", "PromptAnswer", "Resolution")
    )
    review = CaseReview.objects.filter(pk=models.OuterRef("review_id"))
    counted = models.Exists(review.filter(status__in=COUNTED_REVIEW_STATUSES))
    place = {
        "rollup_inspection_id": models.Subquery(review.values("sampled_case__inspection_id")[:1]),
        "rollup_provider_id": models.Subquery(review.values("sampled_case__provider_id")[:1]),
    }
    if judgements is not None:
        resolution = Resolution.objects.filter(judgement_id=models.OuterRef("pk")).values("value")
        models.QuerySet.update(
            Judgement.objects.filter(judgements),
            **place,
            rollup_value=models.Case(
                models.When(
                    counted, then=Coalesce(models.Subquery(resolution[:1]), models.F("value"))
                ),
                default=models.Value(""),
            ),
        )
    if answers is not None:
        models.QuerySet.update(
            PromptAnswer.objects.filter(answers),
            **place,
            rollup_value=models.Case(
                models.When(counted, then=models.F("value")), default=models.Value("")
            ),
        )


def _refresh_saved_sampled_case(sender, instance, created, update_fields=None, **kwargs):
    if not created and (update_fields is None or {"inspection", "provider"} & set(update_fields)):
        sender.objects.none().refresh([instance.pk], {"inspection", "provider"})


def _refresh_saved_review(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    changed = {"status", "sampled_case"} if update_fields is None else set(update_fields)
    if {"status", "sampled_case"} & changed:
        sender.objects.none().refresh([instance.pk], changed)


def _refresh_saved_answer(sender, instance, **kwargs):
    refresh_counted(answers=models.Q(pk=instance.pk))


def _refresh_saved_judgement(sender, instance, **kwargs):
    refresh_counted(judgements=models.Q(pk=instance.pk))


def _refresh_resolved_judgement(sender, instance, **kwargs):
    refresh_counted(judgements=models.Q(pk=instance.judgement_id))


def _refresh_unresolved_judgement(sender, instance, origin=None, **kwargs):
    """A resolution deleted on its own gives the judgement back its first value; one deleted
    with its judgement (or anything above it) leaves nothing to refresh."""
    if isinstance(origin, sender) or (
        isinstance(origin, models.QuerySet) and origin.model is sender
    ):
        refresh_counted(judgements=models.Q(pk=instance.judgement_id))


for _model_name, _receiver in (
    ("SampledCase", _refresh_saved_sampled_case),
    ("CaseReview", _refresh_saved_review),
    ("PromptAnswer", _refresh_saved_answer),
    ("Judgement", _refresh_saved_judgement),
    ("Resolution", _refresh_resolved_judgement),
):
    models.signals.post_save.connect(
        _receiver,
        sender=f"audit.{_model_name}",
        dispatch_uid=f"{_model_name.lower()}_refresh_counted",
    )
models.signals.post_delete.connect(
    _refresh_unresolved_judgement,
    sender="audit.Resolution",
    dispatch_uid="resolution_deleted_refresh_counted",
)


def fill_review_copy(reviews) -> None:
    """Give new reviews their roll-up copy from their sampled cases: from those already loaded,
    and one query for the rest."""
    CaseReview, SampledCase = _registered("CaseReview"), _registered("SampledCase")
    missing = {r.sampled_case_id for r in reviews if not CaseReview.sampled_case.is_cached(r)}
    found = (
        {
            pk: (i, p)
            for pk, i, p in SampledCase.objects.filter(pk__in=missing).values_list(
                "pk", "inspection_id", "provider_id"
            )
        }
        if missing
        else {}
    )
    for review in reviews:
        if CaseReview.sampled_case.is_cached(review):
            sampled = review.sampled_case
            found_here = (sampled.inspection_id, sampled.provider_id)
        else:
            found_here = found.get(review.sampled_case_id, (None, None))
        review.rollup_inspection_id, review.rollup_provider_id = found_here


def refresh_review_copy(reviews: models.Q) -> int:
    """Recompute the roll-up's copy on the reviews matching `reviews`: one UPDATE."""
    CaseReview, SampledCase = _registered("CaseReview"), _registered("SampledCase")
    sampled = SampledCase.objects.filter(pk=models.OuterRef("sampled_case_id"))
    return models.QuerySet.update(
        CaseReview.objects.filter(reviews),
        rollup_inspection_id=models.Subquery(sampled.values("inspection_id")[:1]),
        rollup_provider_id=models.Subquery(sampled.values("provider_id")[:1]),
    )


def _fill_new_review(sender, instance, raw=False, update_fields=None, **kwargs):
    if instance._state.adding and not raw:
        fill_review_copy([instance])


models.signals.pre_save.connect(
    _fill_new_review, sender="audit.CaseReview", dispatch_uid="casereview_fill_rollup_copy"
)
