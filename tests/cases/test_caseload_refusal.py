"""A lead (or anyone but a manager) asking for the caseload import gets a 403 page that names the
role that may import caseloads, on every caseload import address."""

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.LEAD, Role.ASSESSOR, Role.MODERATOR])
def test_the_refusal_names_the_role_that_may(make_user, client, role):
    provider = ProviderFactory(code="PDU-R")
    client.force_login(make_user(role, providers=[provider]))
    for method, url in (
        ("get", reverse("cases:caseload_upload")),
        ("get", reverse("cases:provider_caseload_upload", args=["PDU-R"])),
        ("post", reverse("cases:caseload_confirm")),
        ("post", reverse("cases:caseload_cancel")),
    ):
        response = getattr(client, method)(url)
        page = response.content.decode()
        assert response.status_code == 403, url
        assert "Only managers import caseloads" in page
        assert "ask a manager of the provider" in page
        assert "QA lead" not in page


def test_a_manager_still_imports(make_user, client):
    provider = ProviderFactory(code="PDU-R")
    client.force_login(make_user(Role.MANAGER, providers=[provider]))
    assert client.get(reverse("cases:caseload_upload")).status_code == 200
