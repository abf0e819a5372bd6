"""Reads of framework versions that other apps share."""

from django.db.models import Q, QuerySet

from .models import Framework, FrameworkStatus


def frameworks_for_inspection(*, keeping=None) -> QuerySet:
    """The versions an inspection may be scored against: the published ones, and the one it
    already uses (`keeping`, a pk), which may since have been superseded."""
    return Framework.objects.filter(Q(status=FrameworkStatus.PUBLISHED) | Q(pk=keeping)).order_by(
        "code", "-version"
    )
