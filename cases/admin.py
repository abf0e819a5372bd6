from django.contrib import admin

from .models import Case, Provider, Sample


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "type", "parent", "in_force_from", "in_force_to"]
    list_filter = ["type"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["crn", "provider", "sentence_type", "start_date", "rosh_level", "gender"]
    list_filter = ["sentence_type", "rosh_level", "gender", "provider__type"]
    search_fields = ["crn"]
    autocomplete_fields = ["provider"]
    list_select_related = ["provider"]
    date_hierarchy = "start_date"


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "requested_size", "caseload_size", "seed", "drawn_by"]
    readonly_fields = ["caseload_strata", "sample_strata", "seed", "drawn_at"]
    filter_horizontal = ["providers"]
    raw_id_fields = ["cases"]
