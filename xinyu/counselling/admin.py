"""The centre manages its rooms in the back office. Slots, bookings and sessions have their own pages
and write paths (services), so they are not in the back office; session notes are never shown here."""

from django.contrib import admin

from xinyu.core.admin_site import BackOfficeAdmin
from xinyu.counselling.models import Room
from xinyu.org import scope


@admin.register(Room)
class RoomAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "location", "school", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "location"]

    def get_queryset(self, request):
        rooms = super().get_queryset(request)
        return rooms if request.user.is_superuser else rooms.filter(pk__in=scope.rooms_for(request.user))

    def _centre(self, request) -> bool:
        return request.user.is_superuser or scope.is_counsellor(request.user)

    def has_add_permission(self, request):
        return self._centre(request)

    def has_change_permission(self, request, obj=None):
        return self._centre(request)

    def has_delete_permission(self, request, obj=None):
        return self._centre(request)
