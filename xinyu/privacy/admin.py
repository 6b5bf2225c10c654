"""Back office: leaving dates (for students whose leaving no roster import recorded) and the record of
retention runs (read-only). Emergency accesses and consents are handled on their own pages, not here."""

from django.contrib import admin

from xinyu.common.admin import BackOfficeAdmin, ReadOnlyBackOfficeAdmin
from xinyu.privacy.models import RetentionRun, StudentDeparture


@admin.register(StudentDeparture)
class StudentDepartureAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["student", "left_on", "recorded_at"]
    raw_id_fields = ["student"]
    search_fields = ["student__student_number"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    """Read-only: what each run of apply_retention did or would have done."""

    list_display = ["ran_at", "dry_run", "archived", "destroyed", "no_departure_date"]
    readonly_fields = ["ran_at", "dry_run", "archived", "destroyed", "no_departure_date", "records", "policy_key"]
