"""Framework versions in the admin: the list, with clone, publish and retire; each version opens
in the framework editor (`standards.admin_views`), where its whole tree is edited in place."""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse

from . import admin_views, services
from .admin_forms import NewFrameworkForm
from .models import FROZEN_MESSAGE, Framework, FrameworkStatus, TimelinessMeasure


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "version",
        "status",
        "person_label",
        "agreement_threshold",
        "published_at",
    ]
    list_filter = ["status", "code"]
    search_fields = ["title", "code", "version"]
    form = NewFrameworkForm
    actions = ["clone_as_new_draft", "publish", "retire"]

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, model_admin=self))

        return [
            path("<int:pk>/editor/", view(admin_views.editor), name="standards_framework_editor"),
            path(
                "<int:pk>/editor/preview/",
                view(admin_views.editor_preview),
                name="standards_framework_editor_preview",
            ),
            path(
                "<int:pk>/editor/move/",
                view(admin_views.editor_move),
                name="standards_framework_editor_move",
            ),
            path(
                "<int:pk>/publish/", view(admin_views.publish), name="standards_framework_publish"
            ),
            path("<int:pk>/export/", view(admin_views.export), name="standards_framework_export"),
            path("<int:pk>/clone/", view(admin_views.clone), name="standards_framework_clone"),
            path("import/", view(admin_views.import_version), name="standards_framework_import"),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        """No bulk delete: a query set's delete would pass by the freezing of published
        versions. A draft is deleted from its own page."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A version is read and changed in the editor."""
        return redirect(reverse("admin:standards_framework_editor", args=[object_id]))

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return redirect(admin_views.editor_url(obj))

    def response_delete(self, request, obj_display, obj_id):
        messages.success(request, f"Deleted the draft {obj_display}.")
        return redirect(reverse("admin:standards_framework_changelist"))

    @admin.action(description="Clone as new draft version")
    def clone_as_new_draft(self, request, queryset):
        for framework in queryset:
            draft = services.clone_framework(
                framework=framework, version=services.suggest_next_version(framework)
            )
            self.log_addition(request, draft, f"Cloned from version {framework.version}.")
            self.message_user(
                request, f"Created draft {draft}. Edit it, then publish it.", messages.SUCCESS
            )

    @admin.action(description="Publish a draft version (shows what changed first)")
    def publish(self, request, queryset):
        drafts = list(queryset.filter(status=FrameworkStatus.DRAFT)[:2])
        if len(drafts) != 1 or queryset.count() != 1:
            self.message_user(
                request,
                "Select one draft version to publish: you will see what "
                "changed before it is published.",
                messages.ERROR,
            )
            return None
        return redirect(reverse("admin:standards_framework_publish", args=[drafts[0].pk]))

    @admin.action(description="Retire selected published or superseded versions")
    def retire(self, request, queryset):
        for framework in queryset:
            try:
                services.retire_framework(framework=framework)
            except ValidationError as exc:
                self.message_user(request, f"{framework}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.log_change(request, framework, "Retired.")
                self.message_user(request, f"Retired {framework}.", messages.SUCCESS)


@admin.register(TimelinessMeasure)
class TimelinessMeasureAdmin(admin.ModelAdmin):
    """The limits of the timeliness measures, each changed on its own page (the list's inputs
    would have no labels of their own). A limit is part of its framework version: it is changed
    in a draft; a published version's measures are shown read-only with the reason, and a change
    sent all the same is refused (FrameworkFrozen) with the reason shown."""

    list_display = ["label", "framework", "framework_status", "limit"]
    list_display_links = ["label"]
    list_filter = ["framework__status", "framework"]
    list_select_related = ["framework"]
    fields = ["framework", "code", "limit_working_days", "order"]

    @admin.display(description="Version status", ordering="framework__status")
    def framework_status(self, obj):
        return obj.framework.get_status_display()

    @admin.display(description="Limit (days)", ordering="limit_working_days")
    def limit(self, obj):
        return obj.limit_working_days

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.framework.is_frozen:
            return ["framework", "code", "limit_working_days", "order"]
        return ["framework", "code"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.filter(status=FrameworkStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.framework.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        """No bulk delete: a query set's delete would pass by the freezing of published
        versions."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        measure = self.get_object(request, object_id)
        if measure is not None and measure.framework.is_frozen:
            if request.method == "GET":
                messages.warning(request, FROZEN_MESSAGE.format(framework=measure.framework))
            extra_context = {
                **(extra_context or {}),
                "show_save": False,
                "show_save_and_continue": False,
                "show_save_and_add_another": False,
            }
        return super().change_view(request, object_id, form_url, extra_context)
