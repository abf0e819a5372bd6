"""The scoring pages use a bounded number of queries, however many questions the framework has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.scoring import services
from standards.models import Prompt
from tests.audit.scoring.test_review_flow import standard_data
from tests.audit.scoring_support import (
    COMPLETE_FACTS,
    big_framework,
    complete_answers,
    review_of,
    score_completely,
    scoring_setup,
)

pytestmark = pytest.mark.django_db

# One bound for every scoring page, whatever the framework's size.
PAGE_BOUND = 16
SAVE_BOUND = 33  # 28, 3 keeping the counts in step, 1 clearing held answers, 1 moving a
#                 planning inspection into fieldwork on its first review
LIST_BOUND = 22  # assignment page: the whole inspection's progress, whatever its size


def scoring_page_queries(client, setup, framework):
    """Queries used by each scoring page for a review with answers on every page."""
    inspection, assessor = setup["inspection"], setup["assessor"]
    review = score_completely(review_of(inspection, "X000001"), assessor, framework)
    client.force_login(assessor)
    args = [inspection.pk, "X000001"]
    urls = {
        "tasks": reverse("audit:review_tasks", args=args),
        "facts": reverse("audit:review_facts", args=args),
        "standard": reverse("audit:review_standard", args=args + ["2.1"]),
        "check": reverse("audit:review_check", args=args),
        "history": reverse("audit:review_history", args=args),
        "my_cases": reverse("audit:my_cases"),
    }
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    answers, judgements = complete_answers(framework)["2.1"]
    answers = {code: "no" for code in answers}  # every answer changes
    with CaptureQueriesContext(connection) as queries:
        response = client.post(urls["standard"], standard_data(answers, judgements, review.version))
    assert response.status_code == 302
    counts["save standard"] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(urls["check"], {"version": review.version + 1})
    assert response.status_code == 302
    counts["submit"] = len(queries)
    return counts


def test_scoring_pages_are_bounded_for_the_shipped_framework(
    client, hmip_2018, make_user, django_assert_max_num_queries
):
    setup = scoring_setup(hmip_2018, make_user, cases=2)
    review = review_of(setup["inspection"], "X000001")
    client.force_login(setup["assessor"])
    url = reverse("audit:review_standard", args=[setup["inspection"].pk, "X000001", "2.1"])
    with django_assert_max_num_queries(PAGE_BOUND):
        assert client.get(url).status_code == 200
    answers, judgements = complete_answers(hmip_2018)["2.1"]
    with django_assert_max_num_queries(SAVE_BOUND):
        response = client.post(url, standard_data(answers, judgements, review.version))
    assert response.status_code == 302
    assert review_of(setup["inspection"], "X000001").prompt_answers.count() == 14


def test_a_framework_ten_times_larger_uses_the_same_queries(
    client, hmip_2018, make_user, django_user_model
):
    small = scoring_page_queries(client, scoring_setup(hmip_2018, make_user, cases=2), hmip_2018)

    from audit.models import Inspection, SampledCase
    from cases.models import Case, Provider, Sample

    # A fresh inspection on a framework with 240 prompts and 20 key questions.
    Inspection.objects.all().delete()
    Sample.objects.all().delete()
    SampledCase.objects.all().delete()
    Case.objects.all().delete()
    Provider.objects.all().delete()
    django_user_model.objects.all().delete()
    big = big_framework()
    assert Prompt.objects.filter(key_question__standard__framework=big).count() == 240
    large = scoring_page_queries(client, scoring_setup(big, make_user, cases=2), big)

    assert large == small
    for name, count in large.items():
        bound = SAVE_BOUND if name in ("save standard", "submit") else PAGE_BOUND
        assert count <= bound, (name, count)


def test_assignment_page_is_bounded_in_the_number_of_cases(
    client, hmip_2018, make_user, django_assert_max_num_queries
):
    setup = scoring_setup(hmip_2018, make_user, cases=12)
    for crn in ["X000001", "X000002", "X000003"]:
        score_completely(review_of(setup["inspection"], crn), setup["assessor"], hmip_2018)
    services.save_review(
        review=review_of(setup["inspection"], "X000004"),
        version=0,
        user=setup["assessor"],
        facts=COMPLETE_FACTS,
    )
    client.force_login(setup["lead"])
    with django_assert_max_num_queries(LIST_BOUND):
        page = client.get(reverse("audit:inspection_assign", args=[setup["inspection"].pk]))
    html = page.content.decode()
    assert html.count("5 of 5 sections complete") == 3
    assert html.count("1 of 5 sections complete") == 1
    assert html.count("0 of 5 sections complete") == 8
    client.force_login(setup["assessor"])
    with django_assert_max_num_queries(PAGE_BOUND):
        assert client.get(reverse("audit:my_cases")).status_code == 200
