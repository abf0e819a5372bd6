"""The GOV.UK date input: one error per date, naming it, and never a Python error."""

import datetime

import pytest
from django import forms

from ui.forms import GovDateField


class Dates(forms.Form):
    start = GovDateField(label="Start", name="period start date")
    end = GovDateField(label="End", name="period end date")


def errors_for(start, end):
    data = {f"start_{i}": v for i, v in enumerate(start)}
    data |= {f"end_{i}": v for i, v in enumerate(end)}
    form = Dates(data)
    form.is_valid()
    return form, {name: list(errs) for name, errs in form.errors.items()}


@pytest.mark.parametrize(
    ("end", "message"),
    [
        (("", "", ""), "Enter the period end date"),
        (("31", "2", "2026"), "Enter a real period end date"),
        (("31", "13", "2026"), "Enter a real period end date"),
        (("x", "1", "2026"), "Enter a real period end date"),
        (("1", "1", "26"), "Enter a real period end date"),
        (("1", "1", "99999999999"), "Enter a real period end date"),
        (("1", "", "2026"), "Period end date must include a month"),
        (("", "", "2026"), "Period end date must include a day and month"),
    ],
)
def test_each_date_gets_one_error_that_names_it(end, message):
    form, errors = errors_for(("1", "1", "2026"), end)
    assert errors == {"end": [message]}


def test_two_bad_dates_give_two_different_errors():
    _, errors = errors_for(("", "", ""), ("30", "2", "2026"))
    assert errors == {
        "start": ["Enter the period start date"],
        "end": ["Enter a real period end date"],
    }


def test_a_real_date_is_cleaned_with_spaces_trimmed():
    form, errors = errors_for((" 29", "2 ", "2028"), ("1", "3", "2028"))
    assert errors == {}
    assert form.cleaned_data["start"] == datetime.date(2028, 2, 29)
