"""The user's notifications: the list, and marking them read (one URL each)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.models import Notification
from audit.notifications.services import mark_all_read, mark_read

PER_PAGE = 50


@require_GET
def notification_list(request):
    """The user's own notifications, newest first; nobody sees anyone else's."""
    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page_title": "Notifications", "page": page},
    )


@require_POST
def notification_read(request, pk):
    """Mark one read and go to the page it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(notification=notification, by=request.user)
    if notification.link.startswith("/") and not notification.link.startswith("//"):
        return redirect(notification.link)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    count = mark_all_read(by=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return redirect("notifications:list")
