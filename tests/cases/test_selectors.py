"""Walking the provider tree: down for what a user sees, up for who covers a provider."""

import pytest

from cases.models import ProviderType
from cases.selectors import ancestor_ids, descendant_ids
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    region = ProviderFactory(type=ProviderType.REGION, code="REG")
    pdu_a = ProviderFactory(parent=region, code="PDU-A")
    pdu_b = ProviderFactory(parent=region, code="PDU-B")
    team = ProviderFactory(parent=pdu_a, type=ProviderType.TEAM, code="TEAM")
    other = ProviderFactory(type=ProviderType.REGION, code="OTHER")
    return {"region": region, "pdu_a": pdu_a, "pdu_b": pdu_b, "team": team, "other": other}


def ids(tree, *names):
    return {tree[name].pk for name in names}


def test_descendants_are_the_providers_given_and_everything_beneath(tree):
    assert descendant_ids(ids(tree, "region")) == ids(tree, "region", "pdu_a", "pdu_b", "team")
    assert descendant_ids(ids(tree, "pdu_b", "other")) == ids(tree, "pdu_b", "other")


def test_ancestors_are_the_providers_given_and_everything_above(tree):
    assert ancestor_ids(ids(tree, "team")) == ids(tree, "team", "pdu_a", "region")
    assert ancestor_ids(ids(tree, "pdu_b", "other")) == ids(tree, "pdu_b", "region", "other")
    assert ancestor_ids(set()) == set()


def test_the_walk_takes_one_query_per_level(tree, django_assert_num_queries):
    with django_assert_num_queries(3):  # team -> PDU -> region -> nothing above
        ancestor_ids(ids(tree, "team"))
