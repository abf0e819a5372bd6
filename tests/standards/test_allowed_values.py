"""The values a question allows live on the question: scoring, import and moderation ask it."""

import pytest

from standards.models import JudgementValue, PromptValue

from ..factories import KeyQuestionFactory, PromptFactory

S, NS, NA = JudgementValue.SUFFICIENT, JudgementValue.NOT_SUFFICIENT, JudgementValue.NOT_APPLICABLE


@pytest.mark.django_db
def test_key_question_allows_not_applicable_only_where_the_framework_says_so():
    assert KeyQuestionFactory(allows_not_applicable=True).allowed_values() == [S, NS, NA]
    strict = KeyQuestionFactory(allows_not_applicable=False)
    assert strict.allowed_values() == [S, NS]
    assert strict.allowed_values(S, NS) == [S, NS]
    # A reader already said "not applicable": a resolution may side with them.
    assert strict.allowed_values(S, NA) == [S, NS, NA]
    assert all(type(value) is str for value in strict.allowed_values())


@pytest.mark.django_db
def test_prompt_allows_not_applicable_only_where_the_framework_says_so():
    yes, no, na = PromptValue.YES, PromptValue.NO, PromptValue.NOT_APPLICABLE
    assert PromptFactory(allows_not_applicable=True).allowed_values() == [yes, no, na]
    assert PromptFactory(allows_not_applicable=False).allowed_values() == [yes, no]
