"""The filters of an area's page: the period, which inspections, and the framework version."""

from __future__ import annotations

from django import forms

from audit.reports.forms import LeagueFilterForm


class AreaFilterForm(LeagueFilterForm):
    """GET filters; every field may be left blank (the latest inspection of each provider,
    whenever it ended, of the one framework version used)."""

    submit_label = "Show figures"

    framework = forms.ChoiceField(label="Framework version", required=False)
    provisional = None
    every = forms.BooleanField(
        label="Use every inspection in the period, not only each provider's latest",
        required=False,
    )

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, frameworks=frameworks, **kwargs)
        self.fields["framework"].choices = [("", "The one version used")] + [
            (str(f.id), str(f)) for f in frameworks
        ]
        self.frameworks = list(frameworks)

    def chosen_framework(self):
        chosen = self.cleaned_data.get("framework", "")
        return next((f for f in self.frameworks if str(f.id) == chosen), None)
