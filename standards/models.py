"""The versioned case-supervision framework: what is asked, and how answers become ratings."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from . import applicability, fact_rules
from .rating import PercentageBand, Rating, RatingScheme
from .rating import ScoreBand as ScoreBandRule
from .timeliness import KINDS, MAX_LIMIT, measure_label

FROZEN_MESSAGE = (
    "{framework} is published and cannot be changed. "
    "Use “Clone as new draft version” to make the next version."
)


class FrameworkFrozen(ValidationError):
    """Raised when anything belonging to a published or retired framework is changed."""


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    # Replaced by the next published version: frozen and readable, scored against by the
    # inspections that already use it, never offered for new ones.
    SUPERSEDED = "superseded", "Superseded"
    RETIRED = "retired", "Retired"


class DraftChanged(ValidationError):
    """Raised when a draft was changed by someone else after the editor loaded it."""


class PromptValue(models.TextChoices):
    """The answer scale for prompts."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


class JudgementValue(models.TextChoices):
    """The answer scale for key questions."""

    SUFFICIENT = "sufficient", "Sufficient"
    NOT_SUFFICIENT = "not_sufficient", "Not sufficient"
    NOT_APPLICABLE = "na", "Not applicable"


class Lens(models.TextChoices):
    ENGAGING = "engaging", "Engaging the person"
    DESISTANCE = "desistance", "Reducing reoffending and supporting desistance"
    KEEPING_SAFE = "keeping_safe", "Keeping other people safe"


class RatedBy(models.TextChoices):
    CASE_DATA = "case_data", "Case data (key-question percentages)"
    JUDGEMENT = "judgement", "Inspector judgement"


class Framework(models.Model):
    code = models.SlugField(
        max_length=50,
        help_text="Stable identifier shared by all versions, e.g. hmip-case-supervision.",
    )
    version = models.CharField(max_length=20, help_text="e.g. 2018 or 2021.1")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    person_label = models.CharField(
        max_length=50,
        default="person on probation",
        help_text="How the framework names the person supervised, e.g. service user.",
    )
    fact_rules = models.JSONField(
        default=list,
        blank=True,
        validators=[fact_rules.validate],
        help_text="Which recorded case facts follow from which (standards/fact_rules.py).",
    )
    agreement_threshold = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Cohen's kappa between first and second reads below which a lead must "
        "acknowledge the agreement, with a note, before publishing an inspection "
        "(when there are enough pairs to judge).",
    )
    previous_version = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
        help_text="The version this one was made from; publishing it supersedes that version.",
    )
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts the changes made to a draft, so a stale edit is refused.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_version_unique")
        ]

    def __str__(self):
        return f"{self.title} ({self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.status != FrameworkStatus.DRAFT

    @property
    def is_in_use(self) -> bool:
        """Published or superseded: inspections may be scored against it."""
        return self.status in IN_USE

    def replaced_version(self) -> Framework | None:
        """The published version this draft supersedes when it is published: the version it was
        made from or, if that has since been superseded, the version now in its place."""
        pk, seen = self.previous_version_id, set()
        while pk is not None and pk not in seen:
            seen.add(pk)
            current = Framework.objects.filter(pk=pk).first()  # as stored now, not as cached
            if current is None or current.status != FrameworkStatus.SUPERSEDED:
                return current if current and current.status == FrameworkStatus.PUBLISHED else None
            pk = current.superseded_by_id
        return None

    def _stored_status(self):
        if self.pk is None:
            return None
        return Framework.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def clean(self):
        stored = self._stored_status()
        if stored and stored != FrameworkStatus.DRAFT:
            changed = self._changed_fields_since_stored()
            if changed - {"status"}:
                raise FrameworkFrozen(FROZEN_MESSAGE.format(framework=self))
            if self.status == FrameworkStatus.DRAFT:
                raise FrameworkFrozen(
                    f"{self} has been published and cannot return to draft. Clone it instead."
                )

    def _changed_fields_since_stored(self):
        stored = Framework.objects.get(pk=self.pk)
        return {
            f.attname
            for f in self._meta.concrete_fields
            if getattr(stored, f.attname) != getattr(self, f.attname)
        }

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_status() not in (None, FrameworkStatus.DRAFT):
            raise FrameworkFrozen(FROZEN_MESSAGE.format(framework=self))
        return super().delete(*args, **kwargs)

    def rating_scheme(self) -> RatingScheme:
        """The framework's bands as plain values for the rating rules."""
        return RatingScheme(
            percentage_bands=tuple(
                PercentageBand(Rating(b.rating), b.lower_bound) for b in self.rating_bands.all()
            ),
            score_bands=tuple(
                ScoreBandRule(Rating(b.rating), b.min_score, b.max_score)
                for b in self.score_bands.all()
            ),
            standards_count=self.standards.count(),
        )

    def validate_for_publication(self):
        errors = []
        try:
            self.rating_scheme()
        except ValueError as exc:
            errors.append(str(exc))
        case_standards = self.standards.filter(rated_by=RatedBy.CASE_DATA)
        if not case_standards.exists():
            errors.append("A framework needs at least one standard rated by case data.")
        for standard in case_standards.annotate(n=models.Count("key_questions")):
            if standard.n == 0:
                errors.append(f"Standard {standard.code} has no key questions.")
        if errors:
            raise ValidationError(errors)

    def publish(self):
        if self.status != FrameworkStatus.DRAFT:
            raise FrameworkFrozen(f"{self} is already {self.get_status_display().lower()}.")
        self.validate_for_publication()
        Framework.objects.filter(pk=self.pk).update(
            status=FrameworkStatus.PUBLISHED, published_at=timezone.now()
        )
        self.refresh_from_db()


IN_USE = (FrameworkStatus.PUBLISHED, FrameworkStatus.SUPERSEDED)


class FrameworkPart(models.Model):
    """Anything that belongs to a framework version and freezes with it."""

    class Meta:
        abstract = True

    def get_framework(self) -> Framework:
        raise NotImplementedError

    def _check_not_frozen(self):
        framework = self.get_framework()
        if framework is not None and framework.pk is not None:
            stored = Framework.objects.filter(pk=framework.pk).values_list("status", flat=True)
            if stored and stored[0] != FrameworkStatus.DRAFT:
                raise FrameworkFrozen(FROZEN_MESSAGE.format(framework=framework))
        if self.pk is not None:
            # Moving a part out of a published framework is an edit of that framework too.
            previous = type(self).objects.filter(pk=self.pk).first()
            if previous is not None and previous.get_framework().is_frozen:
                raise FrameworkFrozen(FROZEN_MESSAGE.format(framework=previous.get_framework()))

    def clean(self):
        super().clean()
        self._check_not_frozen()

    def save(self, *args, **kwargs):
        self._check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_not_frozen()
        return super().delete(*args, **kwargs)


class Domain(FrameworkPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=10, help_text="e.g. 2")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="domain_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_framework(self):
        return self.framework


class Standard(FrameworkPart):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(max_length=10, help_text="e.g. 2.1")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rated_by = models.CharField(max_length=10, choices=RatedBy.choices, default=RatedBy.CASE_DATA)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="standard_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_framework(self):
        return self.framework

    def clean(self):
        super().clean()
        if self.domain_id and self.framework_id and self.domain.framework_id != self.framework_id:
            raise ValidationError({"domain": "The domain must belong to the same framework."})


class ApplicabilityMixin(models.Model):
    applicability = models.JSONField(
        default=dict,
        blank=True,
        help_text="When the question applies, in case facts; empty means always. e.g. "
        '{"fact": "child_safeguarding_concerns", "equals": true}',
        validators=[applicability.validate_rule],
    )

    class Meta:
        abstract = True

    def applies_to(self, facts: dict) -> bool:
        return applicability.applies(self.applicability, facts)

    @property
    def applicability_text(self) -> str:
        return applicability.describe(self.applicability)

    @property
    def applicability_sentence(self) -> str:
        return applicability.sentence(self.applicability)


class KeyQuestion(ApplicabilityMixin, FrameworkPart):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="key_questions")
    code = models.CharField(max_length=12, help_text="e.g. 2.1.3")
    lens = models.CharField(max_length=15, choices=Lens.choices)
    wording = models.TextField()
    guidance = models.TextField(blank=True)
    allows_not_applicable = models.BooleanField(
        default=False, help_text="Whether an assessor may judge this question not applicable."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["standard__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="key_question_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.wording}"

    def allowed_values(self, *also) -> list[str]:
        """The judgements this question allows: "not applicable" only where the framework says
        so, or where one of `also` (judgements already made) used it, so a resolution can side
        with them."""
        values = [JudgementValue.SUFFICIENT, JudgementValue.NOT_SUFFICIENT]
        if self.allows_not_applicable or JudgementValue.NOT_APPLICABLE in also:
            values.append(JudgementValue.NOT_APPLICABLE)
        return [str(v) for v in values]

    def get_framework(self):
        return self.standard.framework if self.standard_id else None


class Prompt(ApplicabilityMixin, FrameworkPart):
    key_question = models.ForeignKey(KeyQuestion, on_delete=models.CASCADE, related_name="prompts")
    code = models.CharField(max_length=14, help_text="e.g. 2.1.3.b")
    wording = models.TextField()
    guidance = models.TextField(blank=True)
    allows_not_applicable = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["key_question__standard__order", "key_question__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["key_question", "code"], name="prompt_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.wording}"

    def allowed_values(self) -> list[str]:
        """The answers this prompt allows: "not applicable" only where the framework says so."""
        values = [PromptValue.YES, PromptValue.NO]
        if self.allows_not_applicable:
            values.append(PromptValue.NOT_APPLICABLE)
        return [str(v) for v in values]

    def get_framework(self):
        return self.key_question.standard.framework if self.key_question_id else None


class RatingBand(FrameworkPart):
    """Percentage of applicable cases sufficient at or above which a rating is given."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="rating_bands")
    rating = models.CharField(max_length=25, choices=Rating.choices)
    lower_bound = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="Inclusive lower bound in percent.",
    )

    class Meta:
        ordering = ["framework", "-lower_bound"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "rating"], name="rating_band_unique")
        ]

    def __str__(self):
        return f"{self.get_rating_display()} from {self.lower_bound}%"

    def get_framework(self):
        return self.framework


class ScoreBand(FrameworkPart):
    """Overall score range (inclusive) that gives an overall rating."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="score_bands")
    rating = models.CharField(max_length=25, choices=Rating.choices)
    min_score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "min_score"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "rating"], name="score_band_unique"),
            models.CheckConstraint(
                condition=models.Q(min_score__lte=models.F("max_score")),
                name="score_band_min_not_above_max",
            ),
        ]

    def __str__(self):
        return f"{self.get_rating_display()}: {self.min_score}-{self.max_score}"

    def get_framework(self):
        return self.framework


class TimelinessMeasure(FrameworkPart):
    """A timeliness measure a framework version reports (standards/timeliness.py): a kind and
    its limit in working days.

    Frozen with its version, as every other part is: a limit is changed in a draft (cloned from
    the published version) and takes effect when that draft is published, for the inspections
    scored against it. The counts keep each case's working days, not a pass or fail, so a report
    reads the limit of its own version.
    """

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="timeliness_measures"
    )
    code = models.CharField(
        max_length=40, choices=[(k.code, k.code.replace("_", " ").capitalize()) for k in KINDS]
    )
    limit_working_days = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(MAX_LIMIT)],
        help_text=f"In time when done within this many working days (0 to {MAX_LIMIT}).",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="timeliness_measure_unique_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(limit_working_days__lte=MAX_LIMIT),
                name="timeliness_limit_at_most_max",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return measure_label(self.code, self.limit_working_days)

    def get_framework(self):
        return self.framework if self.framework_id else None
