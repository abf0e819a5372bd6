"""GOV.UK forms for case reviews and the import of scored reviews (crispy-forms-gds).

The standard page is built from the framework: one radios field per applicable prompt and one
per key question, named after their codes (2.1.3.b -> p_2_1_3_b, 2.1.3 -> kq_2_1_3).
"""

from __future__ import annotations

import re

from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Layout,
    Size,
)
from django import forms
from django.utils.html import escape, format_html

from audit.models import CaseReview, YesNo, YesNoNotApplicable
from audit.scoring.selectors import FACT_FIELDS, FACT_QUESTIONS
from audit.scoring.services import allowed_judgement_values, allowed_prompt_values
from cases.models import MappaCategory, MappaLevel
from standards.models import JudgementValue, PromptValue
from ui.forms import GovForm, Markup, details


def _slug(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", code).strip("_")


def prompt_field_name(code: str) -> str:
    return f"p_{_slug(code)}"


def judgement_field_name(code: str) -> str:
    return f"kq_{_slug(code)}"


def rationale_field_name(code: str) -> str:
    return f"kq_{_slug(code)}_rationale"


class RevealingQuestion(ConditionalQuestion):
    """A conditional-reveal radio whose ARIA markup is valid whether or not it reveals anything."""

    template = "audit/layout/conditional_question.html"


# --- inspections ---------------------------------------------------------------------------------


MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_TEXT = 5000  # the longest rationale or comment, as on the moderation pages


class ImportReviewsForm(GovForm):
    file = forms.FileField(
        label="Upload a file of scored reviews",
        help_text="A CSV or Excel (.xlsx) file in the scoring import format, up to 10 MB.",
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field("file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10 MB")
        return upload


# --- reviews -------------------------------------------------------------------------------------


RELOAD = "This page was damaged in sending, so nothing was saved: reload it and try again"


class VersionedForm(GovForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=2**31 - 1,
        error_messages={key: RELOAD for key in ("required", "invalid", "min_value", "max_value")},
    )


FACT_GROUPS = [
    (
        "Risk of serious harm",
        [
            "rosh_screening_completed",
            "rosh_screening_on_time",
            "rosh_level_found",
            "full_risk_analysis_completed",
        ],
    ),
    (
        "Domestic abuse",
        [
            "domestic_abuse_enquiries_needed",
            "domestic_abuse_enquiries_made",
            "domestic_abuse_reply_received",
            "domestic_abuse_reply_sufficient",
        ],
    ),
    (
        "Child safeguarding",
        [
            "child_safeguarding_enquiries_needed",
            "child_safeguarding_enquiries_made",
            "child_safeguarding_reply_received",
            "child_safeguarding_reply_sufficient",
        ],
    ),
    ("Home visits", ["home_visit_needed", "home_visit_made"]),
    ("MAPPA", ["mappa_category", "mappa_level"]),
    ("Oversight and interview", ["management_oversight_sufficient", "person_interviewed"]),
]

FACT_HINTS = {
    "rosh_screening_on_time": "Select not applicable if no screening was completed.",
    "domestic_abuse_enquiries_made": "Select not applicable if enquiries were not needed.",
    "domestic_abuse_reply_received": "Select not applicable if no enquiries were made.",
    "domestic_abuse_reply_sufficient": "Select not applicable if no reply was received.",
    "child_safeguarding_enquiries_made": "Select not applicable if enquiries were not needed.",
    "child_safeguarding_reply_received": "Select not applicable if no enquiries were made.",
    "child_safeguarding_reply_sufficient": "Select not applicable if no reply was received.",
    "home_visit_made": "Select not applicable if no home visit was needed.",
    "full_risk_analysis_completed": "Select not applicable if a full analysis was not required.",
    "mappa_category": "Leave as not MAPPA eligible if the case is not managed under MAPPA.",
}

NEEDED_FOLLOW_UPS = {
    "domestic_abuse_enquiries_needed": "domestic_abuse_enquiries_made",
    "child_safeguarding_enquiries_needed": "child_safeguarding_enquiries_made",
    "home_visit_needed": "home_visit_made",
}


class CaseFactsForm(VersionedForm):
    """The case facts as the assessor found them in the record; any may be left for later."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        layout = []
        for legend, names in FACT_GROUPS:
            items = []
            for name in names:
                model_field = CaseReview._meta.get_field(name)
                label = FACT_QUESTIONS[name]
                if name in ("mappa_category", "mappa_level"):
                    choices = (
                        MappaCategory.choices if name == "mappa_category" else MappaLevel.choices
                    )
                    self.fields[name] = forms.TypedChoiceField(
                        label=label,
                        required=False,
                        coerce=int,
                        empty_value=None,
                        choices=[
                            ("", "Not MAPPA eligible" if name == "mappa_category" else "No level")
                        ]
                        + list(choices),
                        help_text=FACT_HINTS.get(name, ""),
                    )
                    items.append(Field.select(name))
                    continue
                choices = model_field.choices
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=choices,
                    widget=forms.RadioSelect,
                    help_text=FACT_HINTS.get(name, ""),
                )
                inline = choices in (YesNo.choices, YesNoNotApplicable.choices)
                items.append(Field.radios(name, legend_size=Size.SMALL, inline=inline))
            layout.append(Fieldset(*items, legend=legend, legend_size=Size.MEDIUM))
        layout.append(Field("version"))
        self.helper.layout = Layout(*layout)

    def clean(self):
        cleaned = super().clean()
        for needed, made in NEEDED_FOLLOW_UPS.items():
            if cleaned.get(needed) == "yes" and cleaned.get(made) == "na":
                self.add_error(made, "It was needed, so answer yes or no")
        if (
            cleaned.get("rosh_screening_completed") == "yes"
            and cleaned.get("rosh_screening_on_time") == "na"
        ):
            self.add_error(
                "rosh_screening_on_time", "A screening was completed, so answer yes or no"
            )
        if cleaned.get("mappa_level") and not cleaned.get("mappa_category"):
            self.add_error("mappa_category", "Select the MAPPA category for the level you chose")
        return cleaned

    def facts(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FACT_FIELDS}


PROMPT_LABELS = dict(PromptValue.choices)
JUDGEMENT_LABELS = dict(JudgementValue.choices)


class StandardForm(VersionedForm):
    """One case standard: each applicable prompt, then each key question's judgement."""

    def __init__(self, *args, standard, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.state = state
        self.first_radio_position = {}
        self.prompts = {}
        self.key_questions = {}
        layout = []
        person = state.review.sampled_case.inspection.framework.person_label
        for kq in standard.key_questions.all():
            layout.append(
                Markup(
                    format_html(
                        '<h2 class="govuk-heading-l" id="kq-{}">{} {}</h2>',
                        _slug(kq.code),
                        kq.code,
                        kq.get_lens_display(),
                    )
                )
            )
            if kq.guidance:
                layout.append(details(f"Guidance for {kq.code}", kq.guidance))
            for prompt in kq.prompts.all():
                if not state.prompt_applies(prompt):
                    layout.append(
                        Markup(
                            format_html(
                                '<div class="govuk-inset-text"><p class="govuk-body">{} {}</p>'
                                '<p class="govuk-body"><strong class="govuk-tag govuk-tag--grey">'
                                "Not applicable</strong> This prompt applies only when {}; for "
                                "this case "
                                "it is recorded as not applicable.</p></div>",
                                prompt.code,
                                prompt.wording,
                                prompt.applicability_text.lower(),
                            )
                        )
                    )
                    continue
                name = prompt_field_name(prompt.code)
                self.prompts[name] = prompt
                self.fields[name] = forms.ChoiceField(
                    label=escape(f"{prompt.code} {prompt.wording}"),
                    required=False,
                    widget=forms.RadioSelect,
                    choices=[(v, PROMPT_LABELS[v]) for v in allowed_prompt_values(prompt)],
                    help_text=(
                        f"Applies because {prompt.applicability_text.lower()}"
                        if prompt.applicability
                        else ""
                    ),
                )
                layout.append(Field.radios(name, legend_size=Size.SMALL, inline=True))
                if prompt.guidance:
                    layout.append(details(f"Guidance for {prompt.code}", prompt.guidance))
            name = judgement_field_name(kq.code)
            rationale = rationale_field_name(kq.code)
            if not state.key_question_applies(kq):
                layout.append(
                    Markup(
                        format_html(
                            '<div class="govuk-inset-text"><p class="govuk-body"><strong>{} '
                            "{}</strong>"
                            '</p><p class="govuk-body">Not applicable to this case: it applies '
                            "only "
                            "when {}.</p></div>",
                            kq.code,
                            kq.wording,
                            kq.applicability_text.lower(),
                        )
                    )
                )
                continue
            self.key_questions[name] = kq
            values = allowed_judgement_values(kq)
            self.fields[name] = forms.ChoiceField(
                label=escape(f"{kq.code} {kq.wording}"),
                required=False,
                widget=forms.RadioSelect,
                choices=[(v, JUDGEMENT_LABELS[v]) for v in values],
                help_text=f"Your judgement, from the prompts above, for this {person}.",
            )
            self.fields[rationale] = forms.CharField(
                label="Why is it not sufficient?",
                required=False,
                widget=forms.Textarea,
                max_length=MAX_TEXT,
                error_messages={
                    "max_length": f"{kq.code}: the rationale must be "
                    f"{MAX_TEXT:,} characters or fewer"
                },
                help_text="Say what was missing or weak, so the practitioner and the lead can "
                "see the evidence behind the judgement.",
            )
            self.first_radio_position[name] = 0  # conditional radios count from 0
            choices = [
                RevealingQuestion(JUDGEMENT_LABELS[v], Field.textarea(rationale, rows=4))
                if v == JudgementValue.NOT_SUFFICIENT
                else RevealingQuestion(JUDGEMENT_LABELS[v])
                for v in values
            ]
            layout.append(ConditionalRadios(name, *choices))
        layout.append(Field("version"))
        self.helper.layout = Layout(*layout)

    def answers(self) -> dict:
        return {p.code: self.cleaned_data.get(name) or "" for name, p in self.prompts.items()}

    def judgements(self) -> dict:
        return {
            kq.code: (
                self.cleaned_data.get(name) or "",
                self.cleaned_data.get(rationale_field_name(kq.code)) or "",
            )
            for name, kq in self.key_questions.items()
        }

    def add_problems(self, problems):
        """Show the standard's completeness problems against their fields."""
        for problem in problems:
            if problem.kind == "rationale":
                self.add_error(rationale_field_name(problem.field), problem.message)
            else:
                self.add_error(judgement_field_name(problem.field), problem.message)


def standard_initial(standard, state, version) -> dict:
    initial = {"version": version}
    for kq in standard.key_questions.all():
        for prompt in kq.prompts.all():
            if prompt.pk in state.answers:
                initial[prompt_field_name(prompt.code)] = state.answers[prompt.pk]
        if kq.pk in state.judgements:
            value, rationale = state.judgements[kq.pk]
            initial[judgement_field_name(kq.code)] = value
            initial[rationale_field_name(kq.code)] = rationale
    return initial


def facts_initial(review) -> dict:
    initial = {name: getattr(review, name) for name in FACT_FIELDS}
    initial["version"] = review.version
    return initial


class SubmitForm(VersionedForm):
    pass


class ReturnForm(GovForm):
    comment = forms.CharField(
        label="What should the assessor change?",
        widget=forms.Textarea,
        max_length=MAX_TEXT,
        help_text="The assessor sees this comment on the review.",
        error_messages={
            "required": "Enter a comment saying what the assessor should change",
            "max_length": f"The comment must be {MAX_TEXT:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("comment", rows=4))


class ReopenForm(GovForm):
    comment = forms.CharField(
        label="Reason for reopening (optional)",
        widget=forms.Textarea,
        required=False,
        max_length=MAX_TEXT,
        error_messages={"max_length": f"The reason must be {MAX_TEXT:,} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("comment", rows=3))
