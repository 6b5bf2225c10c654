"""Back office: leaving dates (学工部 and the centre's supervisors, who keep the roster) and the record of
retention runs (read-only). Emergency accesses and consents are handled on their own pages, not here."""

from django.contrib import admin

from xinyu.org import scope
from xinyu.privacy.models import RetentionRun, StudentDeparture


@admin.register(StudentDeparture)
class StudentDepartureAdmin(admin.ModelAdmin):
    list_display = ["student", "left_on", "recorded_at"]
    raw_id_fields = ["student"]
    search_fields = ["student__student_number"]

    def has_module_permission(self, request):
        return scope.may_import_roster(request.user)

    def has_view_permission(self, request, obj=None):
        return scope.may_import_roster(request.user)

    def has_add_permission(self, request):
        return scope.may_import_roster(request.user)

    def has_change_permission(self, request, obj=None):
        return scope.may_import_roster(request.user)

    def has_delete_permission(self, request, obj=None):
        return scope.may_import_roster(request.user)


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """Read-only: what each run of apply_retention did or would have done."""

    list_display = ["ran_at", "dry_run", "archived", "destroyed", "no_departure_date"]
    readonly_fields = ["ran_at", "dry_run", "archived", "destroyed", "no_departure_date", "records", "policy_key"]

    def has_module_permission(self, request):
        return scope.is_centre_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return scope.is_centre_staff(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
