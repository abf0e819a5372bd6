"""Inspections, case reviews and moderation: the audit itself."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from cases.models import Case, MappaCategory, MappaLevel, Provider, RoshLevel, Sample
from standards.models import Framework, JudgementValue, KeyQuestion, Prompt, PromptValue, Standard
from standards.rating import Rating


class User(AbstractUser):
    """A member of a QA team. Roles are groups; providers scope what the user may see."""

    providers = models.ManyToManyField(
        Provider,
        blank=True,
        related_name="users",
        help_text="The user sees these providers and everything beneath them.",
    )


class InspectionStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    FIELDWORK = "fieldwork", "Fieldwork"
    MODERATION = "moderation", "Moderation"
    PUBLISHED = "published", "Published"


class Inspection(models.Model):
    """An audit round of one or more providers against one framework version."""

    title = models.CharField(max_length=200)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="inspections")
    providers = models.ManyToManyField(Provider, related_name="inspections")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNING
    )
    sample = models.ForeignKey(
        Sample, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections_led",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="inspection_teams"
    )
    moderation_share = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=10,
        help_text="Percentage of each assessor's submitted reviews chosen for a second read.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention purge removed the case data; its figures are then read from
    # PublishedFigures (audit/retention.py).
    case_data_purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_end", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="inspection_period_ordered",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == InspectionStatus.PUBLISHED


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


class SampledCase(models.Model):
    """A case drawn into an inspection, with the provider it belonged to when audited."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="sampled_cases"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sampled_in")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    objects = SampledCaseQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "case__crn"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "case"], name="sampled_case_unique")
        ]

    def __str__(self):
        return f"{self.case} in {self.inspection}"


class ReviewStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    RETURNED = "returned", "Returned"
    SUBMITTED = "submitted", "Submitted"
    MODERATED = "moderated", "Moderated"


COUNTED_REVIEW_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.MODERATED)


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class YesNoNotApplicable(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


class RollupPlace(models.Model):
    """The roll-up's copy of where a row counts: its sampled case's inspection and provider,
    derived, never entered (see `refresh_review_copy` and `refresh_counted`)."""

    rollup_inspection = models.ForeignKey(
        Inspection, null=True, editable=False, db_index=False, on_delete=models.DO_NOTHING,
        related_name="+",
    )
    rollup_provider = models.ForeignKey(
        Provider, null=True, editable=False, db_index=False, on_delete=models.DO_NOTHING,
        related_name="+",
    )

    class Meta:
        abstract = True


class CaseReview(RollupPlace):
    """One assessor's scoring of one sampled case, with the case facts as found in the record.

    `version` is bumped on every save: a save carrying an older version is refused.
    """

    sampled_case = models.OneToOneField(
        SampledCase, on_delete=models.CASCADE, related_name="review"
    )
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.NOT_STARTED
    )
    version = models.PositiveIntegerField(default=0)

    # Case facts as the assessor found them.
    rosh_screening_completed = models.CharField(max_length=3, choices=YesNo.choices, blank=True)
    rosh_screening_on_time = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    rosh_level_found = models.CharField(max_length=15, choices=RoshLevel.choices, blank=True)
    full_risk_analysis_completed = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    domestic_abuse_enquiries_needed = models.CharField(
        max_length=3, choices=YesNo.choices, blank=True
    )
    domestic_abuse_enquiries_made = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    domestic_abuse_reply_received = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    domestic_abuse_reply_sufficient = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    child_safeguarding_enquiries_needed = models.CharField(
        max_length=3, choices=YesNo.choices, blank=True
    )
    child_safeguarding_enquiries_made = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    child_safeguarding_reply_received = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    child_safeguarding_reply_sufficient = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    home_visit_needed = models.CharField(max_length=3, choices=YesNo.choices, blank=True)
    home_visit_made = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    mappa_category = models.PositiveSmallIntegerField(
        choices=MappaCategory.choices, null=True, blank=True
    )
    mappa_level = models.PositiveSmallIntegerField(
        choices=MappaLevel.choices, null=True, blank=True
    )
    management_oversight_sufficient = models.CharField(
        max_length=3, choices=YesNoNotApplicable.choices, blank=True
    )
    person_interviewed = models.CharField(max_length=3, choices=YesNo.choices, blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # With the roll-up's copy (RollupPlace) the focus measures read the reviews (and their
    # prompt answers) without the sampled cases. It is filled when the review is created and
    # refreshed if its sampled case changes.
    history = HistoricalRecords(excluded_fields=["rollup_inspection", "rollup_provider"])

    objects = CaseReviewQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status"]),
            # The prompt measures join answers to counted reviews through this index alone.
            models.Index(fields=["rollup_inspection", "status", "rollup_provider", "id"],
                         name="review_rollup"),
        ]

    def __str__(self):
        return f"Review of {self.sampled_case.case}"

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_REVIEW_STATUSES


class PromptAnswer(RollupPlace):
    """An answer to a prompt. The `rollup_` fields are the roll-up's copy, as on Judgement: the
    inspection, provider and the value counted (blank while the review does not count)."""

    # Looked up by review through the unique (review, prompt) index: no index of its own.
    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="prompt_answers",
                               db_index=False)
    # Looked up by prompt through the roll-up's index below.
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    value = models.CharField(max_length=3, choices=PromptValue.choices)
    rollup_value = models.CharField(
        max_length=3, choices=PromptValue.choices, blank=True, editable=False
    )
    history = HistoricalRecords(
        excluded_fields=["rollup_inspection", "rollup_provider", "rollup_value"]
    )

    objects = PromptAnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "prompt"], name="prompt_answer_unique")
        ]
        indexes = [
            # The roll-up's prompt measures: an index-only scan of the few prompts they count.
            models.Index(fields=["prompt", "rollup_inspection", "rollup_provider", "rollup_value"],
                         name="prompt_answer_rollup"),
        ]


class Judgement(RollupPlace):
    """The assessor's judgement of a key question for one case.

    The `rollup_` fields are the roll-up's copy, so that its aggregate reads this one narrow
    table: the sampled case's inspection and provider, and the value the roll-up counts (a
    moderation resolution where there is one, else `value`; blank while the review does not
    count). They are derived, never entered: `refresh_counted` writes them whenever a review's
    status, a judgement or a resolution changes.
    """

    # Looked up by review through the unique (review, key question) index.
    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="judgements",
                               db_index=False)
    key_question = models.ForeignKey(KeyQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=15, choices=JudgementValue.choices)
    rationale = models.TextField(blank=True)
    rollup_value = models.CharField(
        max_length=15, choices=JudgementValue.choices, blank=True, editable=False
    )
    history = HistoricalRecords(
        excluded_fields=["rollup_inspection", "rollup_provider", "rollup_value"]
    )

    objects = JudgementQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "key_question"], name="judgement_unique")
        ]
        indexes = [
            models.Index(fields=["key_question", "value"]),
            # The roll-up's aggregate: an index-only scan per inspection on PostgreSQL.
            models.Index(
                fields=["rollup_inspection", "rollup_provider", "key_question", "rollup_value"],
                name="judgement_rollup",
            ),
        ]


class ModerationRead(models.Model):
    """A blind second read of a submitted review."""

    class Reason(models.TextChoices):
        RANDOM = "random", "Random selection"
        LEAD_CHOICE = "lead_choice", "Chosen by the lead"

    review = models.OneToOneField(CaseReview, on_delete=models.CASCADE, related_name="moderation")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="moderation_reads",
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    selection_seed = models.BigIntegerField(null=True, blank=True)
    selected_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)


class ModerationJudgement(models.Model):
    read = models.ForeignKey(ModerationRead, on_delete=models.CASCADE, related_name="judgements")
    key_question = models.ForeignKey(KeyQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=15, choices=JudgementValue.choices)
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["read", "key_question"], name="moderation_judgement_unique"
            )
        ]


class Resolution(models.Model):
    """The lead's resolution of a disagreement; it replaces the first judgement in the roll-up."""

    judgement = models.OneToOneField(Judgement, on_delete=models.CASCADE, related_name="resolution")
    value = models.CharField(max_length=15, choices=JudgementValue.choices)
    note = models.TextField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ResolutionQuerySet.as_manager()


class StandardJudgement(models.Model):
    """A lead's rating of a standard for one provider in an inspection.

    For standards rated by judgement it is the rating; for case-data standards it is a
    professional override shown beside the data-driven rating. A rationale is always required.
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="standard_judgements"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=25, choices=Rating.choices)
    rationale = models.TextField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "provider", "standard"], name="standard_judgement_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(rationale=""), name="standard_judgement_needs_rationale"
            ),
        ]


class PublishedFigures(models.Model):
    """The counts a published inspection's roll-up and breakdowns are computed from, kept when
    its case data is purged (audit/retention.py), so its reports show the same figures after.

    `counts`: {provider id: {"reviews": n, "key_questions": {key question id: {"sufficient",
    "applicable", "not_applicable"}}, "facts": {focus measure "<code>_n"/"<code>_d": n},
    "prompts": {prompt code: [yes, answered]}}}.
    `breakdowns`: {dimension key: [[provider id, value, label, key question code, sufficient,
    applicable], ...]}.
    Lead-entered standard ratings are not copied: they stay in StandardJudgement.
    """

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="published_figures"
    )
    counts = models.JSONField()
    breakdowns = models.JSONField()
    frozen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Published figures of {self.inspection}"


class AuditEvent(models.Model):
    """Who viewed, exported, changed or reopened a review or a report, and when.

    Append-only: rows are never updated or deleted by the application.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        EXPORTED = "exported", "Exported"
        CHANGED = "changed", "Changed"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        REOPENED = "reopened", "Reopened"
        RESOLVED = "resolved", "Resolved"
        OVERRIDDEN = "overridden", "Overrode a rating"
        IMPORTED = "imported", "Imported"
        STATUS_CHANGED = "status_changed", "Changed status"
        PURGED = "purged", "Purged case data"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.username} {self.get_action_display().lower()} {self.object_label}"


class ReviewEvent(models.Model):
    """A step in a review's workflow (submitted, returned, reopened, imported), shown on the review.

    A return always carries the lead's comment, so the assessor knows what to change.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned to the assessor"
        REOPENED = "reopened", "Reopened"
        IMPORTED = "imported", "Imported"

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="returned", comment=""),
                name="review_return_needs_comment",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.review}"


class HeldSave(models.Model):
    """A page of a review posted after its user's session had ended, kept so nothing typed is
    lost (`audit.held_saves`).

    Posted without a session, it is known by the random `token` of a cookie set on that
    browser; the first user to sign in there and open the page who may change the review
    claims it, after which it is theirs (`user` and `review`) and the token is spent. It is
    shown back in the page until that page is saved, and kept for a short time only.
    """

    token = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE,
                             related_name="+")
    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=20)  # "facts" or a standard code
    data = models.JSONField()  # field name -> list of values, as posted
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "review", "page"],
                                    condition=models.Q(user__isnull=False),
                                    name="held_save_one_per_page"),
        ]


class FrameworkFixed(Exception):
    """Raised when an inspection's framework version would change after scoring has started."""


def _framework_fixed_once_scoring_starts(sender, instance, raw=False, **kwargs):
    """Answers belong to the questions of one version: once a review is saved it cannot change."""
    if raw or instance.pk is None:
        return
    stored = Inspection.objects.filter(pk=instance.pk).values_list("framework_id", flat=True).first()
    if stored is None or stored == instance.framework_id:
        return
    started = CaseReview.objects.filter(sampled_case__inspection_id=instance.pk).exclude(
        status=ReviewStatus.NOT_STARTED
    )
    if started.exists():
        raise FrameworkFixed(
            f"The framework version of {instance} cannot change: scoring has started."
        )


models.signals.pre_save.connect(
    _framework_fixed_once_scoring_starts, sender=Inspection,
    dispatch_uid="inspection_framework_fixed_once_scoring_starts",
)


# Published inspections are frozen ----------------------------------------------------------

from django.core.exceptions import ValidationError  # noqa: E402


class InspectionPublished(ValidationError):
    """Raised when anything belonging to a published inspection would change.

    Services refuse first, with this message on the page (`audit.lifecycle.ensure_not_published`);
    the model signals below are the backstop for every other writer (admin, shell, scripts):
    no row of a published inspection may be updated or deleted. New rows are left to the
    services, so that past inspections can be loaded as they were published.
    """

    def __init__(self, inspection):
        super().__init__(f"{inspection} is published and cannot be changed.", code="published")
        self.inspection = inspection


# How each frozen model is reached from its inspection.
FROZEN_WITH_INSPECTION = {
    SampledCase: "sampled_cases",
    CaseReview: "sampled_cases__review",
    PromptAnswer: "sampled_cases__review__prompt_answers",
    Judgement: "sampled_cases__review__judgements",
    ModerationRead: "sampled_cases__review__moderation",
    ModerationJudgement: "sampled_cases__review__moderation__judgements",
    Resolution: "sampled_cases__review__judgements__resolution",
    StandardJudgement: "standard_judgements",
}


def _published_inspection_holding(model, pks):
    """The published inspection that stored rows of `model` belong to, if any (one query)."""
    published = Inspection.objects.filter(status=InspectionStatus.PUBLISHED)
    if model is Inspection:
        return published.filter(pk__in=pks).first()
    return published.filter(**{f"{FROZEN_WITH_INSPECTION[model]}__pk__in": pks}).first()


def _refuse_update_when_published(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    inspection = _published_inspection_holding(sender, [instance.pk])
    if inspection is not None:
        raise InspectionPublished(inspection)


def _refuse_delete_when_published(sender, instance, origin=None, **kwargs):
    """Checked once per deletion: cascaded rows were checked with the row the deletion began at."""
    if isinstance(origin, models.Model):
        if origin is not instance and type(origin) in FROZEN_MODELS:
            return
        pks = [instance.pk]
    elif isinstance(origin, models.QuerySet):
        if getattr(origin, "_published_checked", False):
            return
        origin._published_checked = True
        sender, pks = origin.model, list(origin.values_list("pk", flat=True))
        if sender not in FROZEN_MODELS:
            return
    else:
        pks = [instance.pk]
    inspection = _published_inspection_holding(sender, pks)
    if inspection is not None:
        raise InspectionPublished(inspection)


FROZEN_MODELS = (Inspection, *FROZEN_WITH_INSPECTION)

for _model in FROZEN_MODELS:
    models.signals.pre_save.connect(
        _refuse_update_when_published, sender=_model,
        dispatch_uid=f"{_model._meta.model_name}_frozen_when_published_save",
    )
    models.signals.pre_delete.connect(
        _refuse_delete_when_published, sender=_model,
        dispatch_uid=f"{_model._meta.model_name}_frozen_when_published_delete",
    )


# The roll-up's copy on each judgement ------------------------------------------------------


def refresh_counted(*, judgements: models.Q | None = None,
                    answers: models.Q | None = None) -> None:
    """Recompute the roll-up's copy (inspection, provider, value counted) on the judgements
    and prompt answers matching these filters, from the reviews, sampled cases and resolutions
    as stored now: one UPDATE each, whatever the number of rows.

    Called by the querysets above and the signals below whenever something it derives from
    changes, so `rollup_value` is the value counted (for a judgement, its resolution's where
    there is one) while the review counts, and blank while it does not.
    """
    review = CaseReview.objects.filter(pk=models.OuterRef("review_id"))
    counted = models.Exists(review.filter(status__in=COUNTED_REVIEW_STATUSES))
    place = {
        "rollup_inspection_id": models.Subquery(
            review.values("sampled_case__inspection_id")[:1]),
        "rollup_provider_id": models.Subquery(review.values("sampled_case__provider_id")[:1]),
    }
    if judgements is not None:
        resolution = Resolution.objects.filter(judgement_id=models.OuterRef("pk")).values("value")
        models.QuerySet.update(
            Judgement.objects.filter(judgements), **place,
            rollup_value=models.Case(
                models.When(counted, then=Coalesce(models.Subquery(resolution[:1]),
                                                   models.F("value"))),
                default=models.Value(""),
            ),
        )
    if answers is not None:
        models.QuerySet.update(
            PromptAnswer.objects.filter(answers), **place,
            rollup_value=models.Case(models.When(counted, then=models.F("value")),
                                     default=models.Value("")),
        )


def _refresh_saved_sampled_case(sender, instance, created, update_fields=None, **kwargs):
    if not created and (update_fields is None or {"inspection", "provider"} & set(update_fields)):
        SampledCase.objects.none().refresh([instance.pk], {"inspection", "provider"})


def _refresh_saved_review(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    changed = {"status", "sampled_case"} if update_fields is None else set(update_fields)
    if {"status", "sampled_case"} & changed:
        CaseReview.objects.none().refresh([instance.pk], changed)


def _refresh_saved_answer(sender, instance, **kwargs):
    refresh_counted(answers=models.Q(pk=instance.pk))


def _refresh_saved_judgement(sender, instance, **kwargs):
    refresh_counted(judgements=models.Q(pk=instance.pk))


def _refresh_resolved_judgement(sender, instance, **kwargs):
    refresh_counted(judgements=models.Q(pk=instance.judgement_id))


def _refresh_unresolved_judgement(sender, instance, origin=None, **kwargs):
    """A resolution deleted on its own gives the judgement back its first value; one deleted
    with its judgement (or anything above it) leaves nothing to refresh."""
    if isinstance(origin, Resolution) or (
        isinstance(origin, models.QuerySet) and origin.model is Resolution
    ):
        refresh_counted(judgements=models.Q(pk=instance.judgement_id))


for _model, _receiver in (
    (SampledCase, _refresh_saved_sampled_case),
    (CaseReview, _refresh_saved_review),
    (PromptAnswer, _refresh_saved_answer),
    (Judgement, _refresh_saved_judgement),
    (Resolution, _refresh_resolved_judgement),
):
    models.signals.post_save.connect(
        _receiver, sender=_model, dispatch_uid=f"{_model._meta.model_name}_refresh_counted"
    )
models.signals.post_delete.connect(
    _refresh_unresolved_judgement, sender=Resolution,
    dispatch_uid="resolution_deleted_refresh_counted",
)


def fill_review_copy(reviews) -> None:
    """Give new reviews their roll-up copy from their sampled cases: from those already loaded,
    and one query for the rest."""
    missing = {r.sampled_case_id for r in reviews
               if not CaseReview.sampled_case.is_cached(r)}
    found = {pk: (i, p) for pk, i, p in SampledCase.objects.filter(pk__in=missing)
             .values_list("pk", "inspection_id", "provider_id")} if missing else {}
    for review in reviews:
        if CaseReview.sampled_case.is_cached(review):
            sampled = review.sampled_case
            found_here = (sampled.inspection_id, sampled.provider_id)
        else:
            found_here = found.get(review.sampled_case_id, (None, None))
        review.rollup_inspection_id, review.rollup_provider_id = found_here


def refresh_review_copy(reviews: models.Q) -> int:
    """Recompute the roll-up's copy on the reviews matching `reviews`: one UPDATE."""
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
    _fill_new_review, sender=CaseReview, dispatch_uid="casereview_fill_rollup_copy"
)
