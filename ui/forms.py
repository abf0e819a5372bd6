"""The GOV.UK form bases every app's forms build on, and the layout pieces they share
(lowest layer, so all apps can use it)."""

import datetime

from crispy_forms.layout import LayoutObject
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.html import format_html

from ui.text import NoControlCharacters


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

    def full_clean(self):
        """Text fields refuse control characters with a message; a NUL byte anywhere in the
        submitted data is taken out before any field looks it up, and reported on its field, so
        hostile input is a form error, never a database error."""
        guard_text_fields(self)
        with_nul = self._without_nul_bytes() if self.is_bound else []
        super().full_clean()
        for name in with_nul:
            self.add_error(
                name,
                "Remove the null character from this answer: it may have been "
                "pasted in from another program, and it cannot be saved.",
            )

    def _without_nul_bytes(self) -> list:
        """Strip NUL bytes from the bound data; the names of the fields that held any."""
        data = self.data
        items = (
            data.lists()
            if hasattr(data, "lists")
            else ((k, v if isinstance(v, (list, tuple)) else [v]) for k, v in data.items())
        )
        keys = [
            key
            for key, values in items
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values)
        ]
        if not keys:
            return []
        data = data.copy()
        for key in keys:
            values = data.getlist(key) if hasattr(data, "getlist") else data[key]
            values = values if isinstance(values, (list, tuple)) else [values]
            del data[key]
            cleaned = [v.replace("\x00", "") if isinstance(v, str) else v for v in values]
            if hasattr(data, "setlist"):
                data.setlist(key.replace("\x00", ""), cleaned)
            else:
                data[key.replace("\x00", "")] = cleaned if len(cleaned) != 1 else cleaned[0]
        self.data = data
        names = []
        for key in (k.replace("\x00", "") for k in keys):
            name = next((n for n in self.fields if key == self.add_prefix(n)), None) or max(
                (n for n in self.fields if key.startswith(self.add_prefix(n) + "_")),
                key=len,
                default=None,
            )
            if name is not None and name not in names:
                names.append(name)
        return names


def guard_text_fields(form) -> None:
    """Give every text field of the form the control-character check (once)."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or any(
            isinstance(v, NoControlCharacters) for v in field.validators
        ):
            continue
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        field.validators.append(
            NoControlCharacters(multiline=isinstance(field.widget, forms.Textarea))
        )


class BaseForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"


class BaseModelForm(GovukFormMixin, forms.ModelForm):
    pass


def form_status(*forms) -> int:
    """400 when a submitted form is re-shown with errors, so clients see the refusal."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in forms) else 200


class Markup(LayoutObject):
    """Literal, already-escaped HTML in a layout (never run through the template engine)."""

    def __init__(self, html):
        self.html = html

    def render(self, *args, **kwargs):
        return self.html


def details(summary: str, text: str) -> Markup:
    """A GOV.UK details component holding framework guidance."""
    return Markup(
        format_html(
            '<details class="govuk-details" data-module="govuk-details">'
            '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
            '{}</span></summary><div class="govuk-details__text">{}</div></details>',
            summary,
            text,
        )
    )


class ErrorLinksMixin:
    """Error-summary links that land on the control to fix (the first radio of a group)."""

    first_radio_position: dict  # field name -> position of its first radio in the markup

    def error_links(self):
        links = []
        fields = [f for f in self.visible_fields()]
        first = self.anchor(fields[0]) if fields else "main-content"
        for error in self.non_field_errors():
            links.append((first, error))
        for bound in self.hidden_fields():  # a damaged or tampered page
            for error in bound.errors:
                links.append((first, error))
        for bound in fields:
            for error in bound.errors:
                links.append((self.anchor(bound), error))
        return links

    def anchor(self, bound) -> str:
        widget = bound.field.widget
        if isinstance(widget, forms.RadioSelect):  # radios and checkboxes alike
            position = getattr(self, "first_radio_position", {}).get(bound.name, 1)
            return f"{bound.auto_id}_{position}"
        if isinstance(widget, forms.MultiWidget):
            return f"{bound.auto_id}_0"
        return bound.auto_id


class GovForm(ErrorLinksMixin, BaseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.disable_csrf = True  # the page's own form tag carries the token


class FilterForm(BaseForm):
    """A form sent with GET (report filters, the trail's search): no CSRF token, which would
    otherwise be copied into the page's address, its history and any link shared from it."""

    @property
    def helper(self):
        helper = super().helper
        helper.disable_csrf = True
        return helper

    @helper.setter
    def helper(self, value):
        self._helper = value


DATE_PARTS = ("day", "month", "year")


class GovDateField(DateInputField):
    """A GOV.UK date input with one error per date, naming it: "Enter the period end date",
    "The period end date must include a month", "Enter a real period end date". An impossible
    date (31 February) or a year that is not four digits is not a real date."""

    def __init__(self, *, name=None, **kwargs):
        super().__init__(**kwargs)
        self.date_name = name or str(kwargs.get("label", "date")).lower()

    def clean(self, value):
        if self.disabled and not isinstance(value, (list, tuple)):
            value = self.widget.decompress(value)
        parts = [str(part or "").strip() for part in list(value or ())[:3]]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {self.date_name}", code="required")
            return None
        missing = [unit for unit, part in zip(DATE_PARTS, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                f"{self.date_name[:1].upper()}{self.date_name[1:]} must include a "
                f"{' and '.join(missing)}",
                code="incomplete",
            )
        day, month, year = parts
        try:
            if not all(part.isdecimal() for part in parts) or len(year) != 4:
                raise ValueError(year)
            out = datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"Enter a real {self.date_name}", code="invalid") from None
        self.validate(out)
        self.run_validators(out)
        return out
