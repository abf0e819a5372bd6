"""GOV.UK forms for case reviews and the import of scored reviews (crispy-forms-gds).

The standard page is built from the framework: one radios field per applicable prompt and one
per key question, named after their codes (2.1.3.b -> p_2_1_3_b, 2.1.3 -> kq_2_1_3).
"""

from __future__ import annotations

import datetime
import re

from crispy_forms.layout import LayoutObject
from crispy_forms_gds.layout import (
    HTML,
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fieldset,
    Layout,
    Size,
)
from django import forms
from django.utils.html import escape, format_html

from audit.models import CaseReview
from audit.scoring.case_facts import (
    FACT_FIELDS,
    FACT_QUESTIONS,
    missing_message,
    refused,
    settled,
)
from cases.case_dates import CASE_DATES, date_problems, long_date
from cases.models import MappaCategory, MappaLevel
from standards import fact_rules
from standards.models import JudgementValue, PromptValue
from ui.forms import GovDateField, GovForm, Markup, details


def slug(code: str) -> str:
    """A code as it appears in field names and anchors: 2.1.3.b -> 2_1_3_b."""
    return re.sub(r"[^0-9A-Za-z]+", "_", code).strip("_")


_slug = slug


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
    "full_risk_analysis_completed": "Select not applicable if the RoSH level you found did not "
    "call for a full analysis.",
    "mappa_category": "Leave as not MAPPA eligible if the case is not managed under MAPPA.",
}


def fact_anchor(name: str, rules) -> str:
    """The id of the control that answers a case fact: its select, or its first radio (radios
    that reveal questions count from 0, as GOV.UK conditional radios do)."""
    if name in ("mappa_category", "mappa_level"):
        return f"id_{name}"
    return f"id_{name}_{0 if name in fact_rules.reveals(rules) else 1}"


class FollowUpField(forms.ChoiceField):
    """A question asked only when it applies: its "does not apply" answer is not offered, but
    is accepted (the value a page saved before, or a save from elsewhere, may hold)."""

    def __init__(self, *args, left_out="", **kwargs):
        super().__init__(*args, **kwargs)
        self.left_out = left_out

    def valid_value(self, value):
        return value == self.left_out or super().valid_value(value)


class SizedRadios(ConditionalRadios):
    """Radios revealing what their answers lead to (the GOV.UK conditional reveal), with a
    legend of the size given whatever was rendered before them (crispy-forms-gds otherwise
    reuses the last field's)."""

    def __init__(self, field, *choices, legend_size=Size.SMALL):
        super().__init__(field, *choices)
        self.legend_size = legend_size

    def render(self, form, context, *args, **kwargs):
        context.update(
            {
                "legend_size": Size.for_legend(self.legend_size),
                "legend_tag": None,
                "radios_small": False,
                "radios_inline": False,
            }
        )
        return super().render(form, context, *args, **kwargs)


class CaseFactsForm(VersionedForm):
    """The case facts as the assessor found them in the record; any may be left for later.

    The framework version's fact rules decide which questions each answer reveals, drop the
    answers to questions the other answers rule out (as the page hides them) and refuse
    contradictions, in the same words as the submit check (`audit.case_facts`).
    """

    def __init__(self, *args, rules=(), case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = list(rules or ())
        self.case = case
        self.first_radio_position = {}
        reveals = fact_rules.reveals(self.rules)
        revealed = {
            child
            for by_value in reveals.values()
            for children in by_value.values()
            for child in children
        }
        for name in FACT_FIELDS:
            self.fields[name] = self._field(name, revealed)
        layout = []
        for legend, names in FACT_GROUPS:
            items = [self._item(name, reveals) for name in names if name not in revealed]
            layout.append(Fieldset(*items, legend=legend, legend_size=Size.MEDIUM))
        if case is not None:
            layout.append(self._dates_fieldset(case))
        layout.append(Field("version"))
        self.helper.layout = Layout(*layout)

    def _dates_fieldset(self, case):
        """The case record's timeliness dates, each optional (cases.case_dates)."""
        start = long_date(case.start_date)
        start_day = f"{case.start_date.day} {case.start_date.month} {case.start_date.year}"
        for name, label in CASE_DATES:
            self.fields[name] = GovDateField(
                label=label[:1].upper() + label[1:],
                name=label,
                required=False,
                help_text=f"For example, {start_day}. Leave blank if the record does not show it.",
            )
        return Fieldset(
            HTML(
                format_html(
                    '<p class="govuk-body">Sentence or release date: <strong>{}</strong>. '
                    "Timeliness is counted in working days from these dates; a date left "
                    "blank is counted as not known, never as late.</p>",
                    start,
                )
            ),
            *(Field(name) for name, _ in CASE_DATES),
            legend="Dates in the case record",
            legend_size=Size.MEDIUM,
        )

    def _field(self, name, revealed):
        label = FACT_QUESTIONS[name]
        required = {"required": missing_message(name)}
        if name in ("mappa_category", "mappa_level"):
            choices = MappaCategory.choices if name == "mappa_category" else MappaLevel.choices
            return forms.TypedChoiceField(
                label=label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Not MAPPA eligible" if name == "mappa_category" else "No level")]
                + list(choices),
                help_text=FACT_HINTS.get(name, ""),
                error_messages=required,
            )
        choices = list(CaseReview._meta.get_field(name).choices)
        messages = {**required, "invalid_choice": required["required"]}
        if name not in revealed:
            return forms.ChoiceField(
                label=label,
                required=False,
                choices=choices,
                widget=forms.RadioSelect,
                help_text=FACT_HINTS.get(name, ""),
                error_messages=messages,
            )
        left_out = fact_rules.otherwise(self.rules, name) or ""
        return FollowUpField(
            label=label,
            required=False,
            left_out=left_out,
            choices=[c for c in choices if c[0] != left_out],
            widget=forms.RadioSelect,
            help_text=FACT_HINTS.get(name, ""),
            error_messages=messages,
        )

    def _item(self, name, reveals):
        if name in ("mappa_category", "mappa_level"):
            return Field(name, context={"label_size": Size.for_label(Size.SMALL)})
        if name not in reveals:
            inline = len(self.fields[name].choices) <= 3
            return Field.radios(name, legend_size=Size.SMALL, inline=inline)
        self.first_radio_position[name] = 0  # conditional radios count from 0
        options = []
        for value, label in self.fields[name].choices:
            children = reveals[name].get(value, [])
            options.append(
                RevealingQuestion(str(label), *[self._item(c, reveals) for c in children])
                if children
                else str(label)
            )
        return SizedRadios(name, *options)

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in FACT_FIELDS if name in cleaned}
        values = settled(self.rules, values)  # what the page hides does not count
        for name, message in refused(self.rules, values).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        cleaned.update(values)
        if self.case is not None:
            dates = {name: cleaned.get(name) for name, _ in CASE_DATES}
            for name, message in date_problems(
                self.case.start_date, dates, latest=datetime.date.today()
            ):
                if name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def facts(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FACT_FIELDS}

    def case_dates(self) -> dict | None:
        """The case record's dates as entered, or None when the page has none."""
        if self.case is None:
            return None
        return {name: self.cleaned_data.get(name) for name, _ in CASE_DATES}


PROMPT_LABELS = dict(PromptValue.choices)


class SaveAsDraft(LayoutObject):
    """A "Save as draft" between key questions: it posts to the draft URL the page gives as
    `form_urls`, as the one under the form does."""

    def render(self, form, context, *args, **kwargs):
        return format_html(
            '<div class="govuk-button-group"><button type="submit" formaction="{}" '
            'class="govuk-button govuk-button--secondary" data-module="govuk-button">'
            "Save as draft</button></div>",
            (context.get("form_urls") or {}).get("draft", ""),
        )


JUDGEMENT_LABELS = dict(JudgementValue.choices)


class StandardForm(VersionedForm):
    """One case standard: for each key question its prompts, then its judgement.

    Each key question opens with its heading (the contents list links to it) and how many of
    its prompts are still to answer; each but the last ends with a second "Save as draft", so
    a long page can be saved from wherever the assessor is.
    """

    def __init__(self, *args, standard, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.state = state
        self.first_radio_position = {}
        self.prompts = {}
        self.key_questions = {}
        self.person = state.review.sampled_case.inspection.framework.person_label
        layout = []
        key_questions = list(standard.key_questions.all())
        for index, kq in enumerate(key_questions):
            layout += self._heading(kq)
            for prompt in kq.prompts.all():
                layout += self._prompt(prompt)
            layout += self._judgement(kq)
            if index < len(key_questions) - 1:
                layout.append(SaveAsDraft())
        layout.append(Field("version"))
        self.helper.layout = Layout(*layout)

    def _heading(self, kq) -> list:
        items = [
            Markup(
                format_html(
                    '<h2 class="govuk-heading-l" id="kq-{}">{} {}</h2>',
                    _slug(kq.code),
                    kq.code,
                    kq.get_lens_display(),
                )
            )
        ]
        if self.state.key_question_applies(kq):
            applicable = [p for p in kq.prompts.all() if self.state.prompt_applies(p)]
            left = len(self.state.unanswered_prompts(kq))
            items.append(
                Markup(
                    format_html(
                        '<p class="govuk-body app-muted">{}</p>',
                        f"{left} of {len(applicable)} prompt{'s' if len(applicable) != 1 else ''} "
                        "still to answer"
                        if left
                        else "Every prompt that applies is answered",
                    )
                )
            )
        if kq.guidance:
            items.append(details(f"Guidance for {kq.code}", kq.guidance))
        return items

    def _prompt(self, prompt) -> list:
        if not self.state.prompt_applies(prompt):
            return [
                Markup(
                    format_html(
                        '<div class="govuk-inset-text"><p class="govuk-body">{} {}</p>'
                        '<p class="govuk-body"><strong class="govuk-tag govuk-tag--grey">'
                        "Not applicable</strong> This prompt applies only when {}; for this case "
                        "it is recorded as not applicable.</p></div>",
                        prompt.code,
                        prompt.wording,
                        prompt.applicability_text,
                    )
                )
            ]
        name = prompt_field_name(prompt.code)
        self.prompts[name] = prompt
        message = f"Select an answer for {prompt.code}"
        self.fields[name] = forms.ChoiceField(
            label=escape(f"{prompt.code} {prompt.wording}"),
            required=False,
            widget=forms.RadioSelect,
            choices=[(v, PROMPT_LABELS[v]) for v in prompt.allowed_values()],
            help_text=f"Asked because {prompt.applicability_text}" if prompt.applicability else "",
            error_messages={"invalid_choice": message},
        )
        items = [Field.radios(name, legend_size=Size.SMALL, inline=True)]
        if prompt.guidance:
            items.append(details(f"Guidance for {prompt.code}", prompt.guidance))
        return items

    def _judgement(self, kq) -> list:
        name = judgement_field_name(kq.code)
        rationale = rationale_field_name(kq.code)
        if not self.state.key_question_applies(kq):
            return [
                Markup(
                    format_html(
                        '<div class="govuk-inset-text"><p class="govuk-body"><strong>{} {}</strong>'
                        '</p><p class="govuk-body">Not applicable to this case: it applies only '
                        "when {}.</p></div>",
                        kq.code,
                        kq.wording,
                        kq.applicability_text,
                    )
                )
            ]
        self.key_questions[name] = kq
        values = kq.allowed_values()
        self.fields[name] = forms.ChoiceField(
            label=escape(f"{kq.code} {kq.wording}"),
            required=False,
            widget=forms.RadioSelect,
            choices=[(v, JUDGEMENT_LABELS[v]) for v in values],
            help_text=f"Your judgement, from the prompts above, for this {self.person}.",
            error_messages={"invalid_choice": f"Select a judgement for {kq.code}"},
        )
        self.fields[rationale] = forms.CharField(
            label="Why is it not sufficient?",
            required=False,
            widget=forms.Textarea,
            max_length=MAX_TEXT,
            error_messages={
                "max_length": f"The reasons for {kq.code} must be {MAX_TEXT:,} characters or fewer"
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
        return [SizedRadios(name, *choices, legend_size=Size.MEDIUM)]

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
            elif problem.kind == "prompt":
                self.add_error(prompt_field_name(problem.field), problem.message)
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
    case = review.sampled_case.case
    initial.update({name: getattr(case, name) for name, _ in CASE_DATES})
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
