"""Refusals that say who may: a 403 page naming the role that can do what was refused."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied


class RoleRequired(PermissionDenied):
    """The user's role may not do this; `who_may` says which role can, and how to ask."""

    def __init__(self, title: str, who_may: str):
        super().__init__(f"{title}. {who_may}")
        self.title = title
        self.who_may = who_may


def role_required(permission: str, *, title: str, who_may: str):
    """Like Django's permission_required(raise_exception=True), with a page that names the role
    that may."""

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise RoleRequired(title, who_may)
            return view(request, *args, **kwargs)

        return checked

    return decorate
