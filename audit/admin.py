from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import CaseReview, Inspection, SampledCase, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Scope", {"fields": ("providers",)}),)
    filter_horizontal = BaseUserAdmin.filter_horizontal + ("providers",)


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["title", "framework", "status", "period_start", "period_end", "lead"]
    list_filter = ["status", "framework"]
    search_fields = ["title"]
    filter_horizontal = ["providers", "team"]
    list_select_related = ["framework", "lead"]


@admin.register(SampledCase)
class SampledCaseAdmin(admin.ModelAdmin):
    list_display = ["case", "inspection", "provider", "assessor"]
    list_filter = ["inspection"]
    search_fields = ["case__crn"]
    raw_id_fields = ["case"]
    list_select_related = ["case", "inspection", "provider", "assessor"]


@admin.register(CaseReview)
class CaseReviewAdmin(SimpleHistoryAdmin):
    list_display = ["sampled_case", "status", "version", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["sampled_case"]
