import datetime

from django.contrib import admin
from django.db.models import Q

from .models import Case, Provider, Sample


class InForceFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "In force now"), ("no", "No longer in force")]

    def queryset(self, request, queryset):
        today = datetime.date.today()
        current = Q(in_force_to__isnull=True) | Q(in_force_to__gte=today)
        if self.value() == "yes":
            return queryset.filter(current)
        if self.value() == "no":
            return queryset.exclude(current)
        return queryset


class ChildInline(admin.TabularInline):
    model = Provider
    fk_name = "parent"
    fields = ["code", "name", "type", "in_force_from", "in_force_to"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "unit beneath this provider"
    verbose_name_plural = "units beneath this provider"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "type", "place_in_tree", "in_force_from", "in_force_to"]
    list_filter = ["type", InForceFilter]
    search_fields = ["name", "code", "parent__name", "parent__code"]
    autocomplete_fields = ["parent"]
    # Regions > PDUs > teams: three levels of parents cover the tree without a query per row.
    list_select_related = ["parent__parent__parent"]
    inlines = [ChildInline]

    @admin.display(description="Place in the tree")
    def place_in_tree(self, provider):
        names, current = [], provider.parent
        while current is not None and len(names) < 3:
            names.append(current.code)
            current = current.parent
        return " › ".join([*reversed(names), provider.code])


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
