"""Forms of the report pages: breakdown filters, the league table period, lead-entered ratings."""

from __future__ import annotations

from crispy_forms_gds.layout import Size
from django import forms
from django.db.models import Q

from audit.reports.publication import AGREEMENT_NOTE_REQUIRED, PARTIAL_REASON_REQUIRED
from cases.models import Gender, PractitionerGrade, RoshLevel, SentenceType
from standards.rating import Rating
from ui.forms import BaseForm, FilterForm, GovDateField

ANY = [("", "Any")]
CASE = "review__sampled_case__case__"


class BreakdownFilterForm(FilterForm):
    """GET filters narrowing the cases in the breakdowns, e.g. only licence cases.

    The provider is chosen by the report's scope (`?provider=CODE`), not here.
    """

    submit_label = "Apply filters"

    rosh_level = forms.ChoiceField(
        label="RoSH level", required=False, choices=ANY + list(RoshLevel.choices)
    )
    sentence_type = forms.ChoiceField(required=False, choices=ANY + list(SentenceType.choices))
    gender = forms.ChoiceField(required=False, choices=ANY + list(Gender.choices))
    ethnicity = forms.ChoiceField(required=False, choices=ANY)
    practitioner_grade = forms.ChoiceField(
        required=False, choices=ANY + list(PractitionerGrade.choices)
    )

    LOOKUPS = {
        "rosh_level": CASE + "rosh_level",
        "sentence_type": CASE + "sentence_type",
        "gender": CASE + "gender",
        "ethnicity": CASE + "ethnicity",
        "practitioner_grade": CASE + "practitioner_grade",
    }

    def __init__(self, *args, ethnicities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.label_size = Size.SMALL
        self.fields["ethnicity"].choices = ANY + [(e, e) for e in ethnicities if e]

    def to_q(self) -> Q | None:
        if not self.is_valid():
            return None
        q = Q()
        for name, lookup in self.LOOKUPS.items():
            value = self.cleaned_data.get(name)
            if value:
                q &= Q(**{lookup: value})
        return q or None

    def active_filters(self) -> list[str]:
        """Plain words for the filters applied, for captions and exports."""
        if not self.is_valid():
            return []
        words = []
        for name in self.LOOKUPS:
            value = self.cleaned_data.get(name)
            if value:
                label = dict(self.fields[name].choices).get(value, value)
                words.append(
                    f"{self.fields[name].label or name.replace('_', ' ').capitalize()}: {label}"
                )
        return words


class LeagueFilterForm(FilterForm):
    submit_label = "Show league table"

    framework = forms.ChoiceField(label="Framework version")
    period_start = GovDateField(
        label="Inspections ending on or after",
        name="earliest end date",
        required=False,
        help_text="For example, 1 4 2025. Leave blank for every inspection.",
    )
    period_end = GovDateField(
        label="Inspections ending on or before",
        name="latest end date",
        required=False,
        help_text="For example, 31 3 2026",
    )
    provisional = forms.BooleanField(
        label="Include provisional results of inspections not yet published",
        required=False,
        help_text="They are marked as provisional in the table.",
    )

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.label_size = Size.SMALL
        self.fields["framework"].choices = [(str(f.id), str(f)) for f in frameworks]

    def _complete_or_blank(self, name: str):
        """An optional date given in part is an error, never silently ignored."""
        parts = [self.data.get(f"{name}_{i}", "").strip() for i in range(3)]
        if any(parts) and not all(parts):
            label = self.fields[name].label
            raise forms.ValidationError(f"{label} must include a day, month and year")
        return self.cleaned_data.get(name)

    def clean_period_start(self):
        return self._complete_or_blank("period_start")

    def clean_period_end(self):
        return self._complete_or_blank("period_end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start.")
        return cleaned


class StandardRatingForm(BaseForm):
    """A lead's rating of a standard for one provider, always with a written rationale."""

    submit_label = "Save rating"

    rating = forms.ChoiceField(
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating."},
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Say what the rating rests on. It is shown on every report beside the rating.",
        error_messages={
            "required": "Enter the rationale for this rating.",
            "max_length": "The rationale must be 5,000 characters or fewer.",
        },
    )

    def __init__(self, *args, is_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = "Override rating" if is_override else "Rating"
        if is_override:
            self.fields["rationale"].help_text = (
                "Say why the data-driven rating should not stand. The data-driven rating stays on "
                "every report beside the override."
            )

    def clean_rationale(self):
        rationale = self.cleaned_data["rationale"].strip()
        if not rationale:
            raise forms.ValidationError("Enter the rationale for this rating.")
        return rationale


class PublishForm(BaseForm):
    """The acknowledgements publishing needs: each field is there only when its rule applies
    (`audit.reports.publication`), and then it must be filled in."""

    submit_label = "Publish inspection"

    def __init__(self, *args, summary, **kwargs):
        super().__init__(*args, **kwargs)
        if summary.needs_partial_reason:
            self.fields["partial_reason"] = forms.CharField(
                label="Why publish with an incomplete overall rating?",
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=5000,
                help_text="The report will say the overall rating is partial, with this reason.",
                error_messages={"required": PARTIAL_REASON_REQUIRED},
            )
        if summary.needs_agreement_note:
            self.fields["agreement_note"] = forms.CharField(
                label="Acknowledge the agreement between readers",
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=5000,
                help_text="Say why the results can be published despite the low agreement. "
                "The report will show this note.",
                error_messages={"required": AGREEMENT_NOTE_REQUIRED},
            )

    def clean(self):
        cleaned = super().clean()
        for name, message in (
            ("partial_reason", PARTIAL_REASON_REQUIRED),
            ("agreement_note", AGREEMENT_NOTE_REQUIRED),
        ):
            if name in self.fields and name in cleaned and not cleaned[name].strip():
                self.add_error(name, message)
        return cleaned
