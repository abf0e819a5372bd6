"""Case reviews: the case facts, prompt answers and judgements of a first read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from audit.models.choices import COUNTED_REVIEW_STATUSES, ReviewStatus, YesNo, YesNoNotApplicable
from audit.models.inspections import Inspection, SampledCase
from cases.models import MappaCategory, MappaLevel, RoshLevel
from standards.models import JudgementValue, KeyQuestion, Prompt, PromptValue


class CaseReview(models.Model):
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
    home_visit_made = models.CharField(max_length=3, choices=YesNoNotApplicable.choices, blank=True)
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(fields=["status"]),
        ]

    def __str__(self):
        return f"Review of {self.sampled_case.case}"

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_REVIEW_STATUSES


class PromptAnswer(models.Model):
    """An answer to a prompt."""

    # Looked up by review through the unique (review, prompt) index: no index of its own.
    review = models.ForeignKey(
        CaseReview, on_delete=models.CASCADE, related_name="prompt_answers", db_index=False
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=3, choices=PromptValue.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "prompt"], name="prompt_answer_unique")
        ]


class Judgement(models.Model):
    """The assessor's judgement of a key question for one case. What the roll-up counts (a
    moderation resolution where there is one, else `value`, while the review counts) is held
    in the maintained counts (audit/counts/), not here."""

    # Looked up by review through the unique (review, key question) index.
    review = models.ForeignKey(
        CaseReview, on_delete=models.CASCADE, related_name="judgements", db_index=False
    )
    key_question = models.ForeignKey(KeyQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=15, choices=JudgementValue.choices)
    rationale = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "key_question"], name="judgement_unique")
        ]
        indexes = [
            models.Index(fields=["key_question", "value"]),
        ]


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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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
    lost (`audit.scoring.held_saves`).

    Posted without a session, it is known by the random `token` of a cookie set on that
    browser; the first user to sign in there and open the page who may change the review
    claims it, after which it is theirs (`user` and `review`) and the token is spent. It is
    shown back in the page until that page is saved, and kept for a short time only.
    """

    token = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=20)  # "facts" or a standard code
    data = models.JSONField()  # field name -> list of values, as posted
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "review", "page"],
                condition=models.Q(user__isnull=False),
                name="held_save_one_per_page",
            ),
        ]

    def __str__(self):
        return f"Answers held for {self.review} ({self.page})"


class FrameworkFixed(Exception):
    """Raised when an inspection's framework version would change after scoring has started."""


def _framework_fixed_once_scoring_starts(sender, instance, raw=False, **kwargs):
    """Answers belong to the questions of one version: once a review is saved it cannot change."""
    if raw or instance.pk is None:
        return
    stored = (
        Inspection.objects.filter(pk=instance.pk).values_list("framework_id", flat=True).first()
    )
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
    _framework_fixed_once_scoring_starts,
    sender=Inspection,
    dispatch_uid="inspection_framework_fixed_once_scoring_starts",
)
