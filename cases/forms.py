"""Forms for the caseload upload and for drawing a sample."""

from __future__ import annotations

import datetime
from pathlib import Path

from crispy_forms_gds.layout import Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from ui.forms import BaseForm, GovDateField

from .sampling import CONFIDENCE_LEVELS

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
UPLOAD_SUFFIXES = (".csv", ".xlsx")
MAX_SEED = 2**63 - 1


def number_input(width: int) -> forms.TextInput:
    """GOV.UK asks for whole numbers with a text input and a numeric keyboard."""
    return forms.TextInput(
        attrs={
            "inputmode": "numeric",
            "spellcheck": "false",
            "class": f"govuk-input--width-{width}",
        }
    )


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, provider):
        return f"{provider.name} ({provider.code})"


class ProviderMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, provider):
        return f"{provider.name} ({provider.code})"


class CaseloadUploadForm(BaseForm):
    """A caseload file and, if the file has no provider column, the provider it belongs to."""

    file = forms.FileField(
        label="Caseload file",
        help_text="A CSV or XLSX file with a header row, up to 25 MB. "
        "The columns are described below.",
        error_messages={"required": "Choose a caseload file", "empty": "The file is empty"},
    )
    provider = ProviderChoiceField(
        label="Provider",
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label="The file gives each case's provider",
        help_text="Choose the provider the cases belong to if the file has no provider column, "
        "or for rows where it is blank.",
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(*self.fields)  # sizes apply only when a layout renders

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise ValidationError("The caseload file must be a CSV or XLSX file")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The caseload file must be smaller than 25 MB")
        return upload


class ConfirmImportForm(forms.Form):
    upload = forms.CharField(max_length=64)


class SampleForm(BaseForm):
    """Which caseload to sample, how precise the sample should be, and its size and seed."""

    providers = ProviderMultipleChoiceField(
        label="Providers",
        queryset=None,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text="The caseload of each provider chosen and of the units beneath it.",
        error_messages={"required": "Choose at least one provider"},
    )
    window_start = GovDateField(
        label="Window start",
        name="window start date",
        help_text="The first start or release date eligible, for example 1 1 2026.",
    )
    window_end = GovDateField(
        label="Window end",
        name="window end date",
        help_text="The last start or release date eligible, for example 30 6 2026.",
    )
    confidence = forms.TypedChoiceField(
        label="Confidence level",
        choices=[(level, f"{level}%") for level in reversed(CONFIDENCE_LEVELS)],
        coerce=int,
        initial=95,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a confidence level"},
    )
    margin = forms.IntegerField(
        label="Margin of error (%)",
        min_value=1,
        max_value=50,
        initial=5,
        widget=number_input(3),
        help_text="The suggested size gives proportions within this many percentage points.",
        error_messages={
            "required": "Enter the margin of error",
            "invalid": "The margin of error must be a whole number of percentage points",
            # Django fills these in with %-formatting, so a literal percent sign is doubled.
            "min_value": "The margin of error must be at least 1%%",
            "max_value": "The margin of error must be 50%% or less",
        },
    )
    size = forms.IntegerField(
        label="Sample size",
        required=False,
        min_value=1,
        widget=number_input(5),
        help_text="Leave blank and check the caseload to see the suggested size.",
        error_messages={
            "invalid": "The sample size must be a whole number",
            "min_value": "The sample size must be at least 1",
        },
    )
    seed = forms.IntegerField(
        label="Random seed (optional)",
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        widget=number_input(20),
        help_text="Leave blank for a new random seed; it is recorded with the sample. "
        "Enter a recorded seed to draw the same sample again.",
        error_messages={
            "invalid": "The seed must be a whole number",
            "min_value": "The seed must be 0 or more",
            "max_value": "The seed is too large",
        },
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["providers"].queryset = providers
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(*self.fields)  # sizes apply only when a layout renders

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", "Window end must be on or after the window start")
        return cleaned

    @staticmethod
    def default_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        """Five to seven months before today, the window inspections usually sample."""
        today = today or datetime.date.today()

        def months_back(months):
            year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
            return datetime.date(year, month + 1, 1)

        return months_back(7), months_back(5) - datetime.timedelta(days=1)
