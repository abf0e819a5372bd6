"""GOV.UK forms for inspections: details, samples and assignments (crispy-forms-gds)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html

from audit.accounts.roles import Role
from cases.forms import SampleForm
from cases.selectors import visible_providers
from standards.models import Framework
from standards.selectors import frameworks_for_inspection
from ui.forms import GovDateField, GovForm, Markup


class FrameworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} (version {obj.version})"


class ProviderChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class InspectionForm(GovForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, West Midlands PDUs case supervision audit, spring 2026",
        error_messages={"required": "Enter a title for the inspection"},
    )
    framework = FrameworkChoiceField(
        label="Framework version",
        queryset=Framework.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="Cases are scored against this version; it cannot change once scoring starts.",
        error_messages={"required": "Select the framework version to score against"},
    )
    providers = ProviderChoiceField(
        label="Providers inspected",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one provider to inspect"},
    )
    period_start = GovDateField(
        label="Start of the period inspected",
        name="period start date",
        help_text="For example, 1 1 2026",
    )
    period_end = GovDateField(
        label="End of the period inspected",
        name="period end date",
        help_text="For example, 30 6 2026",
    )
    team = UserChoiceField(
        label="Team",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Assessors, moderators and other leads working on this inspection. A lead on "
        "the team can also change it, if all its providers are theirs.",
    )

    def __init__(self, *args, user, framework_fixed=None, **kwargs):
        """framework_fixed: the framework, when scoring has started and it can no longer change."""
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks_for_inspection(
            keeping=self.initial.get("framework")
        )
        self.fields["providers"].queryset = visible_providers(user).order_by("name")
        self.fields["team"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True, groups__name__in=[Role.ASSESSOR, Role.MODERATOR, Role.LEAD]
            )
            .distinct()
            .order_by("first_name", "last_name")
        )
        framework_item = Field.radios("framework")
        if framework_fixed is not None and framework_fixed is not False:
            del self.fields["framework"]
            framework_item = Markup(
                format_html(
                    '<div class="govuk-form-group"><h2 class="govuk-heading-m">Framework '
                    "version</h2>"
                    '<p class="govuk-body">{} (version {})</p><p class="govuk-hint">Scoring has '
                    "started, so the framework version can no longer change.</p></div>",
                    framework_fixed.title,
                    framework_fixed.version,
                )
            )
        self.helper.layout = Layout(
            Field.text("title"),
            framework_item,
            Field.checkboxes("providers", small=True),
            Field("period_start"),
            Field("period_end"),
            Field.checkboxes("team", small=True),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
        return cleaned


class SampleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        providers = ", ".join(p.name for p in obj.providers.all())
        return (
            f"{obj.cases.count()} cases from {providers}, drawn {obj.drawn_at:%d %b %Y}"
            f" (seed {obj.seed})"
        )


class AddSampleForm(GovForm):
    sample = SampleChoiceField(
        label="Sample to add",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the sample to add"},
    )

    def __init__(self, *args, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sample"].queryset = samples
        self.helper.layout = Layout(Field.radios("sample"))


class AssignForm(GovForm):
    """Rendered by hand as a table of checkboxes; validated here."""

    cases = forms.MultipleChoiceField(
        label="Cases",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one case"},
    )
    assessor = forms.ModelChoiceField(
        label="Assessor", queryset=None, required=False, empty_label="Choose an assessor"
    )

    def __init__(self, *args, sampled_cases, assessors, unassigning=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.unassigning = unassigning
        self.fields["cases"].choices = [(str(s.pk), s.case.crn) for s in sampled_cases]
        self.fields["assessor"].queryset = assessors
        self.fields["assessor"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        cleaned = super().clean()
        if not self.unassigning and not cleaned.get("assessor"):
            self.add_error("assessor", "Select the assessor to give the cases to")
        return cleaned


class InspectionSampleForm(SampleForm):
    """Drawing a sample from inside an inspection: its providers (or units beneath them) and a
    window inside its period, with the lead's say-so when the sample is smaller than suggested."""

    accept_smaller = forms.BooleanField(
        label="Draw it anyway, with the wider margin of error",
        required=False,
        help_text="Needed only when the size is smaller than the suggested size.",
    )

    def __init__(self, *args, inspection, providers, **kwargs):
        super().__init__(*args, providers=providers, **kwargs)
        self.inspection = inspection
        self.fields[
            "providers"
        ].help_text = (
            "This inspection's providers, or units beneath them; each with its units' cases."
        )
        self.fields["providers"].error_messages["invalid_choice"] = (
            "%(value)s is not a provider of this inspection: choose from its providers, or "
            "change the inspection's providers first"
        )
        self.helper.layout = Layout(*self.fields)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        first, last = self.inspection.period_start, self.inspection.period_end
        if start and not first <= start <= last:
            self.add_error(
                "window_start",
                f"Window start must be within the period inspected, {first:%-d %B %Y} to "
                f"{last:%-d %B %Y}",
            )
        if end and not first <= end <= last:
            self.add_error(
                "window_end",
                f"Window end must be within the period inspected, {first:%-d %B %Y} to "
                f"{last:%-d %B %Y}",
            )
        return cleaned


class ShareForm(GovForm):
    """Share the selected cases evenly among the chosen assessors (rendered by hand beside the
    assignment table; validated here)."""

    cases = forms.MultipleChoiceField(
        label="Cases",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one case to share"},
    )
    assessors = forms.ModelMultipleChoiceField(
        label="Assessors",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the assessors to share the cases among"},
    )
    avoid_own_provider = forms.BooleanField(
        label="Keep each assessor off the cases of their own provider", required=False
    )

    def __init__(self, *args, sampled_cases, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(str(s.pk), s.case.crn) for s in sampled_cases]
        self.fields["assessors"].queryset = assessors
