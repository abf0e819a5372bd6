"""Providers and pseudonymised case records: what is sampled and audited."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from .case_dates import CASE_DATE_FIELDS, date_problems

# A CRN as stored: capitals A to Z, digits and hyphens, starting with a letter or digit, up to 20
# characters. nDelius CRNs are a letter and six digits (X123456); older systems and the national
# data set add hyphens (N1A2B-0000001), so the rule is wider than nDelius's but ASCII only.
CRN_STORED = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")
# As typed: the same in either case. Only ASCII letters are capitalised: nothing is folded or
# normalised, so a look-alike such as the ligature "ﬀ" is refused, not stored as "FF".
CRN_TYPED = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,19}")
CRN_RULE = "use up to 20 letters (A to Z), digits or hyphens, starting with a letter or digit"


def crn_from_text(text: str) -> str | None:
    """The CRN a person typed, in capitals; None when it is not a CRN (refused, never rewritten)."""
    if text.isascii() and CRN_TYPED.fullmatch(text):
        return text.upper()
    return None


class ProviderType(models.TextChoices):
    REGION = "region", "Region"
    PDU = "pdu", "Probation Delivery Unit"
    NPS_DIVISION = "nps_division", "NPS division"
    CRC = "crc", "Community Rehabilitation Company"
    TEAM = "team", "Team"


class Provider(models.Model):
    """An organisation that supervises cases, as it was while in force.

    Units are renamed and reorganised often; a reorganised unit is a new provider, so old
    results stay under the name they were audited under.
    """

    type = models.CharField(max_length=15, choices=ProviderType.choices)
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    in_force_from = models.DateField(null=True, blank=True)
    in_force_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(in_force_to__isnull=True)
                | models.Q(in_force_from__isnull=True)
                | models.Q(in_force_to__gte=models.F("in_force_from")),
                name="provider_in_force_dates_ordered",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "A provider cannot be inside itself."})
            ancestor = ancestor.parent


class SentenceType(models.TextChoices):
    COMMUNITY_ORDER = "community_order", "Community order"
    SUSPENDED_SENTENCE_ORDER = "suspended_sentence_order", "Suspended sentence order"
    LICENCE = "licence", "Licence"
    POST_SENTENCE_SUPERVISION = "post_sentence_supervision", "Post-sentence supervision"


COMMUNITY_SENTENCES = (SentenceType.COMMUNITY_ORDER, SentenceType.SUSPENDED_SENTENCE_ORDER)
CUSTODIAL_SENTENCES = (SentenceType.LICENCE, SentenceType.POST_SENTENCE_SUPERVISION)


class RoshLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"
    NOT_SCREENED = "not_screened", "Not screened"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class PractitionerGrade(models.TextChoices):
    PO = "po", "Probation officer"
    PSO = "pso", "Probation services officer"
    OTHER = "other", "Other"


class MappaCategory(models.IntegerChoices):
    ONE = 1, "Category 1"
    TWO = 2, "Category 2"
    THREE = 3, "Category 3"


class MappaLevel(models.IntegerChoices):
    ONE = 1, "Level 1"
    TWO = 2, "Level 2"
    THREE = 3, "Level 3"


class Case(models.Model):
    """A pseudonymised case: the CRN is the only key, and no names or addresses are held."""

    crn = models.CharField(
        "CRN",
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(rf"\A{CRN_STORED.pattern}\Z", f"This is not a CRN: {CRN_RULE}.")
        ],
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="cases")
    sentence_type = models.CharField(max_length=30, choices=SentenceType.choices)
    start_date = models.DateField(help_text="Start of the sentence, or release date on licence.")
    rosh_level = models.CharField(max_length=15, choices=RoshLevel.choices)
    mappa_category = models.PositiveSmallIntegerField(
        choices=MappaCategory.choices, null=True, blank=True
    )
    mappa_level = models.PositiveSmallIntegerField(
        choices=MappaLevel.choices, null=True, blank=True
    )
    gender = models.CharField(max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(max_length=60, blank=True)
    age_band = models.CharField(max_length=10, blank=True)
    domestic_abuse_history = models.BooleanField(default=False)
    child_safeguarding_concerns = models.BooleanField(default=False)
    practitioner_grade = models.CharField(
        max_length=10, choices=PractitionerGrade.choices, blank=True
    )
    # Timeliness dates (cases.timeliness): each optional, none before the start date.
    allocation_date = models.DateField(
        null=True, blank=True, help_text="Allocated to a named practitioner."
    )
    first_appointment_date = models.DateField(null=True, blank=True)
    rosh_screening_date = models.DateField(
        "RoSH screening date", null=True, blank=True, help_text="RoSH screening completed."
    )
    first_home_visit_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["crn"]
        indexes = [models.Index(fields=["provider", "start_date"])]

    def __str__(self):
        return self.crn

    def clean(self):
        problems = date_problems(
            self.start_date,
            {name: getattr(self, name) for name in CASE_DATE_FIELDS},
            latest=datetime.date.today(),
        )
        if problems:
            raise ValidationError(dict(problems))

    def facts(self) -> dict:
        """Case facts for the framework's applicability rules."""
        return {
            "sentence_type": self.sentence_type,
            "rosh_level": self.rosh_level,
            "gender": self.gender,
            "domestic_abuse_history": self.domestic_abuse_history,
            "child_safeguarding_concerns": self.child_safeguarding_concerns,
            "mappa_eligible": self.mappa_category is not None,
        }


class Sample(models.Model):
    """A reproducible stratified random sample of an eligible caseload."""

    providers = models.ManyToManyField(Provider, related_name="samples")
    window_start = models.DateField()
    window_end = models.DateField()
    requested_size = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    caseload_size = models.PositiveIntegerField()
    caseload_strata = models.JSONField(default=dict)
    sample_strata = models.JSONField(default=dict)
    cases = models.ManyToManyField(Case, related_name="samples")
    drawn_by = models.CharField(max_length=150, blank=True)
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self):
        return f"Sample of {self.requested_size} drawn {self.drawn_at:%d %b %Y} (seed {self.seed})"
