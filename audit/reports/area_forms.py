"""The filters of an area's page: the period, which inspections, and the framework version."""

from __future__ import annotations

from django import forms

from audit.reports.forms import LeagueFilterForm
from cases.models import ProviderType
from cases.selectors import descendant_ids, visible_providers


class AreaFilterForm(LeagueFilterForm):
    """GET filters; every field may be left blank (the latest inspection of each provider,
    whenever it ended, of the one framework version used)."""

    submit_label = "Show figures"

    framework = forms.ChoiceField(label="Framework version", required=False)
    provisional = None
    region = None
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


AREA_TYPES = (ProviderType.REGION, ProviderType.NPS_DIVISION)


def regions_visible_to(user) -> list:
    """The regions (and NPS divisions) a user may filter the league table to."""
    return list(visible_providers(user).filter(type__in=AREA_TYPES).order_by("name"))


def chosen_region(form, regions):
    """(region, ids of the providers beneath it) chosen on a valid league form, or None."""
    code = form.cleaned_data.get("region") if form.is_valid() else ""
    region = next((r for r in regions if r.code == code), None)
    return None if region is None else (region, descendant_ids([region.id]))
