"""GOV.UK forms for the moderation pages: drawing the sample, second reads and resolutions."""

from __future__ import annotations

from crispy_forms_gds.layout import (
    HTML,
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Fixed,
    Layout,
    Size,
)
from django import forms
from django.utils.html import escape, format_html, format_html_join

from audit.models import CaseReview, ModerationRead, User
from audit.moderation.services import MAX_SEED, display_name, moderator_choices
from cases.models import CRN_RULE, crn_from_text
from standards.models import JudgementValue
from ui.forms import BaseForm


def _literal(html: str) -> str:
    """Markup for a crispy HTML block, which is rendered as a template: keep braces literal."""
    return html.replace("{", "&#123;").replace("}", "&#125;")


def field_name(code: str, kind: str = "kq") -> str:
    return f"{kind}_{code.replace('.', '_')}"


class DrawSampleForm(BaseForm):
    seed = forms.IntegerField(
        label="Random seed (optional)",
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text="Leave blank for a new random seed. The seed is recorded with each selection, "
        "so the same seed on the same reviews draws the same cases.",
        error_messages={"invalid": "Enter the seed as a whole number, like 20260401."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="draw", **kwargs)
        self.helper.layout = Layout(
            Field.text("seed", field_width=Fixed.TEN, label_size=Size.SMALL)
        )


class ChooseReviewForm(BaseForm):
    crn = forms.CharField(
        label="CRN of a submitted review",
        max_length=20,
        help_text="A review you want read again in addition to the random share.",
        error_messages={"required": "Enter the CRN of the review to moderate."},
    )

    def __init__(self, *args, inspection, **kwargs):
        self.inspection = inspection
        super().__init__(*args, prefix="choose", **kwargs)
        self.helper.layout = Layout(Field.text("crn", field_width=Fixed.TEN, label_size=Size.SMALL))

    def clean_crn(self):
        typed = self.cleaned_data["crn"].strip()
        crn = crn_from_text(typed)
        if crn is None:
            raise forms.ValidationError(f"“{typed}” is not a CRN: {CRN_RULE}.")
        review = (
            CaseReview.objects.filter(
                sampled_case__inspection=self.inspection, sampled_case__case__crn=crn
            )
            .select_related("sampled_case__inspection")
            .first()
        )
        if review is None:
            raise forms.ValidationError(
                f"{crn} is not a sampled case with a review in this inspection."
            )
        self.review = review
        return crn


def _moderator_text(read) -> str:
    return f"moderator {display_name(read.moderator)}" if read.moderator_id else "not assigned"


class AssignModeratorForm(BaseForm):
    reads = forms.MultipleChoiceField(
        label="Second reads to assign",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one second read to assign."},
    )
    moderator = forms.ModelChoiceField(
        label="Moderator",
        queryset=User.objects.none(),
        empty_label="Choose a moderator",
        error_messages={
            "required": "Choose the moderator.",
            "invalid_choice": "Choose a moderator from the list.",
        },
    )

    def __init__(self, *args, inspection, open_reads, **kwargs):
        super().__init__(*args, prefix="assign", **kwargs)
        self.open_reads = {read.review.sampled_case.case.crn: read for read in open_reads}
        self.fields["reads"].choices = [
            (
                crn,
                f"{crn} (scored by {display_name(read.review.sampled_case.assessor)}; "
                f"{_moderator_text(read)})",
            )
            for crn, read in self.open_reads.items()
        ]
        self.fields["moderator"].queryset = moderator_choices(inspection)
        self.fields["moderator"].label_from_instance = display_name
        self.helper.layout = Layout(
            Field.checkboxes("reads", legend_size=Size.SMALL, small=True),
            Field("moderator", context={"label_size": Size.for_label(Size.SMALL)}),
        )

    def selected_reads(self) -> list[ModerationRead]:
        return [self.open_reads[crn] for crn in self.cleaned_data["reads"]]


def _standard_heading(standard) -> HTML:
    return HTML(
        _literal(
            format_html('<h2 class="govuk-heading-l">{} {}</h2>', standard.code, standard.title)
        )
    )


def _prompts_details(code: str, prompts) -> HTML:
    """A key question's prompts, folded away under a details summary."""
    return HTML(
        _literal(
            format_html(
                '<details class="govuk-details"><summary class="govuk-details__summary">'
                '<span class="govuk-details__summary-text">Prompts for {}</span></summary>'
                '<div class="govuk-details__text"><ul class="govuk-list govuk-list--bullet">{}'
                "</ul></div></details>",
                code,
                format_html_join(
                    "", "<li><strong>{}</strong> {}</li>", ((p.code, p.wording) for p in prompts)
                ),
            )
        )
    )


class SecondReadForm(BaseForm):
    """The moderator's blind judgements: key questions only, never the first reader's answers."""

    def __init__(self, *args, key_questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_questions = key_questions
        layout = []
        standard = None
        for kq in key_questions:
            if kq.standard_id != getattr(standard, "pk", None):
                standard = kq.standard
                layout.append(_standard_heading(standard))
            name, rationale = field_name(kq.code), field_name(kq.code, "rationale")
            choices = [(v, JudgementValue(v).label) for v in kq.allowed_values()]
            self.fields[name] = forms.ChoiceField(
                label=escape(f"{kq.code} {kq.wording}"),
                choices=choices,
                widget=forms.RadioSelect,
                help_text=escape(kq.guidance),
                error_messages={"required": f"Select a judgement for {kq.code}."},
            )
            self.fields[rationale] = forms.CharField(
                label=escape(f"Why is {kq.code} not sufficient?"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=5000,
            )
            prompts = list(kq.prompts.all())
            if prompts:
                layout.append(_prompts_details(kq.code, prompts))
            layout.append(
                ConditionalRadios(
                    name,
                    *[
                        ConditionalQuestion(
                            label, Field.textarea(rationale, label_size=Size.SMALL, rows=4)
                        )
                        if value == JudgementValue.NOT_SUFFICIENT
                        else label
                        for value, label in choices
                    ],
                )
            )
        self.helper.layout = Layout(*layout)

    is_draft = False

    def clean(self):
        cleaned = super().clean()
        if self.is_draft:
            return cleaned
        for kq in self.key_questions:
            value = cleaned.get(field_name(kq.code))
            rationale = (cleaned.get(field_name(kq.code, "rationale")) or "").strip()
            if value == JudgementValue.NOT_SUFFICIENT and not rationale:
                self.add_error(
                    field_name(kq.code, "rationale"),
                    f"Enter a rationale for judging {kq.code} not sufficient.",
                )
        return cleaned

    def judgements(self) -> dict:
        return {
            kq.code: (
                self.cleaned_data[field_name(kq.code)],
                self.cleaned_data.get(field_name(kq.code, "rationale"), ""),
            )
            for kq in self.key_questions
        }

    def partial(self) -> None:
        """For a draft: any question may be left unanswered, and no rationale is required."""
        self.is_draft = True
        for field in self.fields.values():
            field.required = False

    def draft_judgements(self) -> dict:
        return {
            kq.code: (
                self.cleaned_data.get(field_name(kq.code)) or "",
                self.cleaned_data.get(field_name(kq.code, "rationale")) or "",
            )
            for kq in self.key_questions
        }

    def add_service_errors(self, error_dict: dict) -> None:
        by_code = {kq.code for kq in self.key_questions}
        for code, messages in error_dict.items():
            target = field_name(code) if code in by_code else None
            for message in messages:
                self.add_error(target, message)


class ResolutionForm(BaseForm):
    value = forms.ChoiceField(
        label="Resolved judgement",
        widget=forms.RadioSelect,
        help_text="This judgement counts in the roll-up; both readers' judgements are kept.",
        error_messages={"required": "Select the resolved judgement."},
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Why this judgement stands, for the record.",
        error_messages={"required": "Enter a note explaining the resolution."},
    )

    def __init__(self, *args, disagreement, **kwargs):
        super().__init__(*args, **kwargs)
        kq = disagreement.key_question
        self.fields["value"].choices = [
            (v, JudgementValue(v).label)
            for v in kq.allowed_values(disagreement.first_value, disagreement.second_value)
        ]
        self.helper.layout = Layout(
            Field.radios("value", legend_size=Size.MEDIUM),
            Field.textarea("note", label_size=Size.MEDIUM, rows=5),
        )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Enter a note explaining the resolution.")
        return note


class LifecycleForm(BaseForm):
    """No fields: the refusal messages are shown as the form's errors."""
