"""The audit-trail filter form: by user, action, object and date."""

from __future__ import annotations

from crispy_forms_gds.layout import Size
from django import forms

from audit.models import AuditEvent
from ui.forms import BaseForm


class TrailFilterForm(BaseForm):
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
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the first day as a real date"},
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the last day as a real date"},
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
