"""Confirmations of one caseload preview sent at once import it exactly once.

Four threads, each a browser tab of the same signed-in manager, post the confirmation together.
Needs a database that takes writes from several connections at once: PostgreSQL. SQLite's
in-memory test database locks the whole database for a write, so the losing threads fail on
the lock, not on the rule under test.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.accounts.roles import Role
from audit.models import AuditEvent
from cases.models import Case

from ..factories import ProviderFactory
from .helpers import csv_bytes, rows
from .test_views import token_of, upload

CONFIRMS = 4

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL: SQLite's test database locks on each write",
    ),
]


def test_concurrent_confirms_import_once_with_one_trail_entry(make_user, private_upload_dir):
    pdu = ProviderFactory(code="PDU-A")
    manager = make_user(Role.MANAGER, providers=[pdu])
    first = Client()
    first.force_login(manager)
    token = token_of(upload(first, csv_bytes(rows(50))))
    start = threading.Barrier(CONFIRMS)

    def confirm(_):
        tab = Client()
        tab.cookies = first.cookies  # the same session, as two tabs of one browser share it
        start.wait()
        try:
            return tab.post(reverse("cases:caseload_confirm"), {"upload": token}).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(CONFIRMS) as pool:
        statuses = sorted(pool.map(confirm, range(CONFIRMS)))

    assert statuses == [302] + [404] * (CONFIRMS - 1)
    assert Case.objects.count() == 50
    assert AuditEvent.objects.filter(action="imported", object_type="caseload").count() == 1
    assert list(private_upload_dir.iterdir()) == []
