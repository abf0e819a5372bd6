"""Nothing typed is lost to an ended session.

A review page saved after the session ended reaches the server without a user. Instead of
dropping what was posted, `hold` keeps it (a `HeldSave`) under a random token sent back in a
cookie, never in the address, and the browser goes to the sign-in page, which says so. When a
user signs in on that browser and opens the page, `restore` gives them the held answers if they
may change the review: from then on the answers are theirs (user + review + page), so they come
back on that page, from any browser, until the page is saved (`saved`) or `MAX_AGE` passes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from audit.models import CaseReview, HeldSave

COOKIE = "held_save"
# Never kept: the CSRF token (spent).
LEFT_OUT = {"csrfmiddlewaretoken"}
# A bound on what an anonymous visitor can make the server keep.
MAX_FIELDS = 400
MAX_UNCLAIMED = 1000


def max_age() -> timedelta:
    return timedelta(seconds=settings.HELD_SAVE_MAX_AGE)


def _fresh():
    return HeldSave.objects.filter(created_at__gte=timezone.now() - max_age())


def forget_old() -> int:
    """Delete what has been held longer than it may be kept."""
    deleted, _ = HeldSave.objects.filter(created_at__lt=timezone.now() - max_age()).delete()
    return deleted


@transaction.atomic
def hold(
    *, inspection_id: int, crn: str, page: str, post: QueryDict, token: str = ""
) -> str | None:
    """Keep a page posted without a session; returns the token for the cookie, or None when
    nothing was kept (no such review, nothing posted, or too much already held)."""
    review = CaseReview.objects.filter(
        sampled_case__inspection_id=inspection_id, sampled_case__case__crn=crn
    ).first()
    data = {key: values for key, values in post.lists() if key not in LEFT_OUT}
    if review is None or not data or len(data) > MAX_FIELDS:
        return None
    forget_old()
    if token:
        HeldSave.objects.filter(token=token, user__isnull=True).delete()
    if HeldSave.objects.filter(user__isnull=True).count() >= MAX_UNCLAIMED:
        return None
    token = secrets.token_urlsafe(32)
    HeldSave.objects.create(token=token, review=review, page=page, data=data)
    return token


@transaction.atomic
def restore(*, user, review, page: str, token: str = "") -> HeldSave | None:
    """The answers held for this user, review and page, claiming those held under `token`
    (the caller has checked that the user may change the review)."""
    if token:
        held = _fresh().filter(token=token, user__isnull=True, review=review, page=page).first()
        if held is not None:
            HeldSave.objects.filter(user=user, review=review, page=page).delete()
            held.user = user
            held.token = secrets.token_urlsafe(32)  # the cookie's token is spent
            held.save(update_fields=["user", "token"])
            return held
    return _fresh().filter(user=user, review=review, page=page).first()


def as_post(held: HeldSave) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in held.data.items():
        data.setlist(key, [str(v) for v in values])
    return data


def saved(*, user, review, page: str) -> None:
    """The page was saved: what was held for it has done its work."""
    HeldSave.objects.filter(user=user, review=review, page=page).delete()
