"""Publishing an inspection: the confirmation page (GET) and the publication itself (POST), each
at a URL of its own. Both follow the rule for managing the inspection: a 404 to those who cannot
see it, a 403 to those who can but may not manage it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.accounts.access import inspection_to_manage_or_404
from audit.reports.forms import PublishForm
from audit.reports.publication import publication_summary, publish_inspection

INVALID = 400


def _render(request, summary, form, status=200):
    inspection = summary.inspection
    return render(
        request,
        "reports/publish_check.html",
        {
            "page_title": f"Publish {inspection}",
            "inspection": inspection,
            "summary": summary,
            "form": form,
        },
        status=status,
    )


def _published_already(request, inspection):
    messages.info(request, f"{inspection} is already published.")
    return redirect("reports:inspection", pk=inspection.pk)


@require_GET
def publish_check(request, pk):
    """What publishing would publish, and what must be acknowledged first."""
    inspection = inspection_to_manage_or_404(request.user, pk)
    if inspection.is_published:
        return _published_already(request, inspection)
    summary = publication_summary(inspection)
    return _render(request, summary, PublishForm(summary=summary))


@require_POST
def publish(request, pk):
    inspection = inspection_to_manage_or_404(request.user, pk)
    if inspection.is_published:
        return _published_already(request, inspection)
    summary = publication_summary(inspection)
    form = PublishForm(request.POST, summary=summary)
    if form.is_valid():
        try:
            publish_inspection(
                inspection=inspection,
                by=request.user,
                partial_reason=form.cleaned_data.get("partial_reason", ""),
                agreement_note=form.cleaned_data.get("agreement_note", ""),
            )
        except ValidationError as exc:
            inspection.refresh_from_db()
            summary = publication_summary(inspection)
            form = PublishForm(request.POST, summary=summary)
            form.is_valid()
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"{inspection} is published. Its report now shows the published results, "
                "with who published them and when.",
            )
            return redirect("reports:inspection", pk=inspection.pk)
    return _render(request, summary, form, status=INVALID)


def _add_errors(form, exc: ValidationError):
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            if field not in form.errors or error not in form.errors[field]:
                form.add_error(field if field in form.fields else None, error)
