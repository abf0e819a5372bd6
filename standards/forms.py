"""The one GOV.UK form base every app's forms build on (lowest layer, so all apps can use it)."""
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms


class BaseForm(forms.Form):
    """A form rendered with crispy-forms-gds: error summary at the top, GOV.UK fields."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.MEDIUM
        self.helper.legend_size = Size.MEDIUM


class BaseModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.MEDIUM
        self.helper.legend_size = Size.MEDIUM
