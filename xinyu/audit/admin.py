from django.contrib import admin

from xinyu.audit.models import AuditEntry
from xinyu.org import scope


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: entries are append-only; the centre reads them, nobody edits them."""

    list_display = ["seq", "at", "actor_username", "actor_name", "post", "student_number", "action", "what"]
    list_filter = ["action"]
    search_fields = ["student_number", "actor_username"]

    def has_module_permission(self, request):
        return scope.may_browse_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return scope.may_browse_audit_log(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
