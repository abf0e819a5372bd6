"""The one GOV.UK form base every app's forms build on (lowest layer, so all apps can use it)."""
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms


class GovukFormMixin:
    """Renders with crispy-forms-gds: GOV.UK fields, error summary on the page.

    The helper is made on first use, after a subclass has added its fields, so its default
    layout holds every field (crispy-forms-gds applies label and legend sizes only through a
    layout). A subclass may still replace `helper.layout`.
    """

    label_size = Size.MEDIUM
    legend_size = Size.MEDIUM

    @property
    def helper(self):
        if getattr(self, "_helper", None) is None:
            helper = FormHelper(self)
            helper.form_tag = False
            helper.label_size = self.label_size
            helper.legend_size = self.legend_size
            self._helper = helper
        return self._helper

    @helper.setter
    def helper(self, value):
        self._helper = value


class BaseForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"


class BaseModelForm(GovukFormMixin, forms.ModelForm):
    pass
