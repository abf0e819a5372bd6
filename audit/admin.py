from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from audit.accounts.roles import Role, has_role
from audit.models import (
    AuditEvent,
    CaseReview,
    Inspection,
    Judgement,
    PromptAnswer,
    ReviewEvent,
    SampledCase,
    User,
)


def _admins_only(request) -> bool:
    """The Django admin is not scoped to providers, so only admins (the admin role, or
    superusers) may use it, even if a lead or a manager is marked as staff."""
    user = request.user
    return user.is_active and user.is_staff and has_role(user, Role.ADMIN)


admin.site.has_permission = _admins_only


class RecordAdmin(admin.ModelAdmin):
    """A record of what happened: shown, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Scope", {"fields": ("providers",)}),)
    filter_horizontal = BaseUserAdmin.filter_horizontal + ("providers",)


class RecordInline(admin.TabularInline):
    """Rows of a workflow record, shown with it and never changed here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The workflow's own records change only through the service's pages, which apply its rules
# (locking, the inspection's lifecycle, the trail); here they are read-only.


@admin.register(Inspection)
class InspectionAdmin(RecordAdmin):
    list_display = ["title", "framework", "status", "period_start", "period_end", "lead"]
    list_filter = ["status", "framework"]
    search_fields = ["title"]
    list_select_related = ["framework", "lead"]


@admin.register(SampledCase)
class SampledCaseAdmin(RecordAdmin):
    list_display = ["case", "inspection", "provider", "assessor"]
    list_filter = ["inspection"]
    search_fields = ["case__crn"]
    list_select_related = ["case", "inspection", "provider", "assessor"]


class PromptAnswerInline(RecordInline):
    model = PromptAnswer
    fields = ["prompt", "value"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("prompt")
            .order_by(
                "prompt__key_question__standard__order",
                "prompt__key_question__order",
                "prompt__order",
            )
        )


class JudgementInline(RecordInline):
    model = Judgement
    fields = ["key_question", "value", "rationale"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("key_question")
            .order_by("key_question__standard__order", "key_question__order")
        )


@admin.register(CaseReview)
class CaseReviewAdmin(RecordAdmin, SimpleHistoryAdmin):
    list_display = ["sampled_case", "status", "version", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["sampled_case__case", "sampled_case__inspection"]
    inlines = [JudgementInline, PromptAnswerInline]
    object_history_list_template = "admin/audit/casereview/history_list.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An earlier version is shown, never restored: django-simple-history saves a posted
        version whatever the change permission says."""
        if request.method == "POST":
            raise PermissionDenied("Reviews change only through the service's pages.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    """Read-only: the trail is evidence, so nobody edits or deletes it here."""

    list_display = ["at", "username", "action", "object_type", "object_label", "path"]
    list_filter = ["action", "object_type", "at"]
    search_fields = ["username", "object_label", "object_id"]
    date_hierarchy = "at"
    actions = ["export_csv"]

    @admin.action(description="Export selected events as CSV")
    def export_csv(self, request, queryset):
        from django.http import HttpResponse

        from audit.trail import trail

        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        trail.write_csv(queryset, response)  # the service's trail page records its exports
        return response


@admin.register(ReviewEvent)
class ReviewEventAdmin(RecordAdmin):
    """Workflow steps of reviews: a record, so read-only here."""

    list_display = ["review", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["review__sampled_case__case__crn", "comment"]
    list_select_related = ["review__sampled_case__case", "actor"]
