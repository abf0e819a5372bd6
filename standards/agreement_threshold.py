"""The agreement threshold field of the framework editor's forms: optional (left empty, it
stays as it is) and refused, in plain words, outside 0 to 1."""

from django import forms

THRESHOLD_MESSAGE = "Enter the agreement threshold as a number from 0 to 1, for example 0.60"


def threshold_optional(form):
    """The threshold field as the editor shows it; left empty, the value stays."""
    field = form.fields["agreement_threshold"]
    field.required = False
    field.label = "Agreement threshold (kappa)"
    field.help_text = (
        "Between 0 and 1, e.g. 0.60. A lead publishing an inspection whose second reads agree "
        "less than this, on enough pairs to judge, must acknowledge it with a note."
    )
    for code in ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places"):
        field.error_messages[code] = THRESHOLD_MESSAGE
    field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]


def clean_agreement_threshold(form):
    """Left empty, the threshold stays as it is (0.60 for a new version)."""
    value = form.cleaned_data.get("agreement_threshold")
    if value is None:
        return form.instance.agreement_threshold
    if not 0 <= value <= 1:
        raise forms.ValidationError(THRESHOLD_MESSAGE)
    return value
