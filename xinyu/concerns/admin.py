"""The duty roster in the back office, read-only: 学工部 keeps it on its own page (`duty_roster`), through the
roster service. Crisis cases and concern reports are not in the back office: their own pages decide who
reads them, at which tier."""

from django.contrib import admin

from xinyu.common.admin import ReadOnlyBackOfficeAdmin
from xinyu.concerns.models import DutyShift


@admin.register(DutyShift)
class DutyShiftAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    list_display = ["person", "starts_at", "ends_at", "phone"]
    list_select_related = ["person"]
    date_hierarchy = "starts_at"
