from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import Domain, Framework, KeyQuestion, Prompt, RatingBand, ScoreBand, Standard


class FrozenWhenPublishedMixin:
    """Published and retired versions open read-only; drafts are editable."""

    def _framework_of(self, obj):
        if obj is None:
            return None
        return obj if isinstance(obj, Framework) else obj.get_framework()

    def has_change_permission(self, request, obj=None):
        framework = self._framework_of(obj)
        if framework is not None and framework.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        framework = self._framework_of(obj)
        if framework is not None and framework.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class FrozenInlineMixin(FrozenWhenPublishedMixin):
    def has_add_permission(self, request, obj=None):
        framework = self._framework_of(obj)
        if framework is not None and framework.is_frozen:
            return False
        return super().has_add_permission(request, obj)


class RatingBandInline(FrozenInlineMixin, admin.TabularInline):
    model = RatingBand
    extra = 0


class ScoreBandInline(FrozenInlineMixin, admin.TabularInline):
    model = ScoreBand
    extra = 0


class DomainInline(FrozenInlineMixin, admin.TabularInline):
    model = Domain
    extra = 0


class StandardInline(FrozenInlineMixin, admin.TabularInline):
    model = Standard
    extra = 0
    fields = ["order", "code", "title", "domain", "rated_by"]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and "domain" in formset.form.base_fields:
            # Only this version's domains are offered.
            formset.form.base_fields["domain"].queryset = obj.domains.all()
        return formset


@admin.register(Framework)
class FrameworkAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["title", "code", "version", "status", "person_label", "published_at"]
    list_filter = ["status", "code"]
    search_fields = ["title", "code", "version"]
    readonly_fields = ["status", "published_at", "previous_version", "created_at"]
    inlines = [RatingBandInline, ScoreBandInline, DomainInline, StandardInline]
    actions = ["clone_as_new_draft", "publish", "retire"]

    @admin.action(description="Clone as new draft version")
    def clone_as_new_draft(self, request, queryset):
        for framework in queryset:
            draft = services.clone_framework(
                framework=framework, version=services.suggest_next_version(framework)
            )
            self.message_user(
                request, f"Created draft {draft}. Edit it, then publish it.", messages.SUCCESS
            )

    @admin.action(description="Publish selected draft versions")
    def publish(self, request, queryset):
        for framework in queryset:
            try:
                services.publish_framework(framework=framework)
            except ValidationError as exc:
                self.message_user(
                    request, f"{framework} was not published: {' '.join(exc.messages)}",
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"Published {framework}.", messages.SUCCESS)

    @admin.action(description="Retire selected published versions")
    def retire(self, request, queryset):
        for framework in queryset:
            try:
                services.retire_framework(framework=framework)
            except ValidationError as exc:
                self.message_user(request, f"{framework}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Retired {framework}.", messages.SUCCESS)


class KeyQuestionInline(FrozenInlineMixin, admin.StackedInline):
    model = KeyQuestion
    extra = 0
    fields = ["order", "code", "lens", "wording", "guidance", "allows_not_applicable",
              "applicability"]
    show_change_link = True


@admin.register(Standard)
class StandardAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["code", "title", "framework", "rated_by", "order"]
    list_filter = ["framework", "rated_by"]
    search_fields = ["code", "title"]
    ordering = ["framework", "order"]
    inlines = [KeyQuestionInline]
    list_select_related = ["framework"]


class PromptInline(FrozenInlineMixin, admin.StackedInline):
    model = Prompt
    extra = 0
    fields = ["order", "code", "wording", "guidance", "allows_not_applicable", "applicability"]


@admin.register(KeyQuestion)
class KeyQuestionAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["code", "wording", "lens", "standard", "applicability_text"]
    list_filter = ["standard__framework", "lens"]
    search_fields = ["code", "wording"]
    ordering = ["standard__framework", "standard__order", "order"]
    inlines = [PromptInline]
    list_select_related = ["standard__framework"]


@admin.register(Prompt)
class PromptAdmin(FrozenWhenPublishedMixin, admin.ModelAdmin):
    list_display = ["code", "wording", "key_question", "applicability_text"]
    list_filter = ["key_question__standard__framework"]
    search_fields = ["code", "wording"]
    ordering = ["key_question__standard__framework", "key_question__standard__order",
                "key_question__order", "order"]
    list_select_related = ["key_question__standard__framework"]
