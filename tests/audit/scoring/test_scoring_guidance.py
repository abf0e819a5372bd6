"""The scoring page shows each question's guidance in a GOV.UK details component under it."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from audit.scoring import services
from audit.scoring.forms import prompt_field_name
from standards.models import KeyQuestion, Prompt
from tests.audit.scoring_support import COMPLETE_FACTS, review_of, scoring_setup

pytestmark = pytest.mark.django_db


class ScoringPage(HTMLParser):
    """The page in document order: key-question headings, prompt radios and details components."""

    def __init__(self, prompt_names):
        super().__init__()
        self.prompt_names = prompt_names
        self.items = []
        self._open = None  # the details being read: [summary, text, where]
        self._where = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "h2" and (attrs.get("id") or "").startswith("kq-"):
            self._where = "heading"
            self.items.append(["heading", ""])
        elif tag == "input" and attrs.get("name") in self.prompt_names:
            code = self.prompt_names[attrs["name"]]
            if not self.items or self.items[-1] != ["prompt", code]:
                self.items.append(["prompt", code])
        elif tag == "details":
            assert "govuk-details" in classes and attrs.get("data-module") == "govuk-details"
            self._open = ["details", "", ""]
        elif self._open and "govuk-details__summary-text" in classes:
            self._where = "summary"
        elif self._open and "govuk-details__text" in classes:
            self._where = "text"

    def handle_endtag(self, tag):
        if tag == "details":
            self.items.append([part.strip() for part in self._open])
            self._open = self._where = None
        elif (tag, self._where) in (("h2", "heading"), ("span", "summary")):
            self._where = None

    def handle_data(self, data):
        if self._where == "heading":
            self.items[-1][1] += data
        elif self._where == "summary":
            self._open[1] += data
        elif self._where == "text":
            self._open[2] += data


@pytest.mark.parametrize("fixture", ["hmip_2018", "hmip_2021"])
def test_each_prompt_of_planning_shows_its_guidance_in_a_details_component_under_it(
    fixture, request, client, make_user
):
    framework = request.getfixturevalue(fixture)
    setup = scoring_setup(framework, make_user, cases=1)
    review = review_of(setup["inspection"], "X000001")
    services.save_review(
        review=review, version=review.version, user=setup["assessor"], facts=COMPLETE_FACTS
    )  # medium risk: every 2.2 prompt applies
    prompts = list(
        Prompt.objects.filter(
            key_question__standard__framework=framework, key_question__standard__code="2.2"
        )
    )
    key_questions = list(
        KeyQuestion.objects.filter(standard__framework=framework, standard__code="2.2")
    )
    assert len(prompts) == 14 and all(p.guidance for p in prompts)

    client.force_login(setup["assessor"])
    url = reverse("audit:review_standard", args=[setup["inspection"].pk, "X000001", "2.2"])
    page = ScoringPage({prompt_field_name(p.code): p.code for p in prompts})
    page.feed(client.get(url).content.decode())

    # Each key question's heading is followed by its guidance, each prompt by its own.
    expected = []
    for kq in key_questions:
        expected.append(["heading", f"{kq.code} {kq.get_lens_display()}"])
        expected.append(["details", f"Guidance for {kq.code}", kq.guidance])
        for prompt in prompts:
            if prompt.key_question_id == kq.pk:
                expected.append(["prompt", prompt.code])
                expected.append(["details", f"Guidance for {prompt.code}", prompt.guidance])
    assert page.items == expected
