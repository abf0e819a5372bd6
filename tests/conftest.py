import pytest
from django.core.cache import caches

from standards.loaders import load_framework_file, shipped_files
from standards.models import Framework

from .factories import UserFactory


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with empty caches: the database it reads is rolled back after every
    test, so what a test kept would describe rows that are gone."""
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture(autouse=True)
def private_upload_dir(settings, tmp_path):
    """Staged caseload uploads go to the test's own folder, never the project's var/."""
    settings.CASELOAD_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def hmip_2018(db) -> Framework:
    """The shipped, published 2018 HMIP framework."""
    return load_framework_file(shipped_files()[0])[0]


@pytest.fixture
def hmip_2021(db) -> Framework:
    return load_framework_file(shipped_files()[1])[0]


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def make_user(db):
    def make(*roles, providers=(), **kwargs):
        return UserFactory(roles=list(roles), scope=list(providers), **kwargs)

    return make


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, roles=["admin"])


@pytest.fixture
def signed_in(client):
    """Sign a user in on the test client and return the client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
