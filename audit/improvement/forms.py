"""Forms of the improvement pages: recording an action, and moving it to another state."""

from __future__ import annotations

from django import forms

from audit.models import ActionState
from ui.forms import BaseForm, GovDateField


def _owner_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class ActionForm(BaseForm):
    submit_label = "Record action"

    finding = forms.ChoiceField(
        label="Finding",
        help_text="The finding of this report the action answers, with the figure it starts from.",
        error_messages={"required": "Choose the finding", "invalid_choice": "Choose the finding"},
    )
    description = forms.CharField(
        label="What will change",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter what will change"},
    )
    owner = forms.ChoiceField(
        label="Owner",
        help_text="Who will make the change. Only people who can see this provider are listed.",
        error_messages={"required": "Choose the owner", "invalid_choice": "Choose the owner"},
    )
    due_date = GovDateField(label="Due date", name="due date", help_text="For example, 31 3 2027.")

    def __init__(self, *args, findings=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.findings = {f.key: f for f in findings}
        self.owners = {str(u.pk): u for u in owners}
        self.fields["finding"].choices = [("", "Choose a finding")] + [
            (f.key, f.choice_label) for f in findings
        ]
        self.fields["owner"].choices = [("", "Choose the owner")] + [
            (key, _owner_label(user)) for key, user in self.owners.items()
        ]

    def clean_owner(self):
        return self.owners.get(self.cleaned_data["owner"])


class StateForm(BaseForm):
    submit_label = "Save the new state"

    state = forms.ChoiceField(
        label="New state",
        widget=forms.RadioSelect,
        choices=ActionState.choices,
        error_messages={
            "required": "Choose the action’s new state",
            "invalid_choice": "Choose the action’s new state",
        },
    )
    note = forms.CharField(
        label="Note",
        help_text="What has been done, or why the state changes. It is kept in the action’s "
        "history.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter a note saying what has changed"},
    )

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [c for c in ActionState.choices if c[0] != current]
