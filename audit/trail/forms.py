"""The audit-trail filter form: by user, action, object and date."""

from __future__ import annotations

from crispy_forms_gds.layout import Size
from django import forms

from audit.models import AuditEvent
from ui.forms import FilterForm, GovDateField


class TrailFilterForm(FilterForm):
    submit_label = "Apply filters"

    username = forms.CharField(
        label="User",
        required=False,
        max_length=150,
        help_text="Their username, for example asha.assessor",
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any")] + list(AuditEvent.Action.choices)
    )
    text = forms.CharField(
        label="Review, report or page",
        required=False,
        max_length=100,
        help_text="A CRN, an inspection or provider name, or part of an address",
    )
    since = GovDateField(
        label="From", name="first day", required=False, help_text="For example, 1 3 2026"
    )
    until = GovDateField(
        label="To", name="last day", required=False, help_text="For example, 31 3 2026"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.label_size = Size.SMALL

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The last day must be on or after the first day")
        return cleaned

    def filters(self) -> dict:
        """The filters for audit.trail.trail.events (none while the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "username": data["username"].strip(),
            "action": data["action"],
            "text": data["text"].strip(),
            "since": data["since"],
            "until": data["until"],
        }
