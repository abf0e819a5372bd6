"""Every page of the Django admin, as an admin on the demo data: no sideways scrolling at 1,280
pixels and no axe violation, best-practice rules included (empty table headers, unnamed
widgets)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from audit.models import CaseReview, User
from standards.services import clone_framework

from .best_practice import check_page
from .conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def admin_pages(user):
    """(name, url) for the index, and each model's list, add page and first object's page."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [("admin-index", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        name = f"admin-{'-'.join(info)}"
        pages.append((f"{name}-list", reverse("admin:{}_{}_changelist".format(*info))))
        if model_admin.has_add_permission(request):
            pages.append((f"{name}-add", reverse("admin:{}_{}_add".format(*info))))
        first = model.objects.order_by("pk").first()
        if first is not None:
            pages.append(
                (f"{name}-change", reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            )
    review = CaseReview.objects.order_by("pk").first()
    pages.append(
        ("admin-review-history", reverse("admin:audit_casereview_history", args=[review.pk]))
    )
    return pages


def test_every_admin_page_fits_and_passes_axe_with_best_practice(page, sign_in, demo_data):
    from standards.models import Framework

    clone_framework(framework=Framework.objects.get(version="2021"), version="2021.1")
    admin_user = User.objects.get(username="admin")
    sign_in(page, "admin", DEMO_PASSWORD)
    pages = admin_pages(admin_user)
    assert len(pages) > 30
    for name, url in pages:
        response = page.goto(url)
        assert response.ok, (url, response.status)
        check_page(page, name)
