"""Counselling rooms in the back office (the centre keeps them on its own rooms page). Slots, bookings and
sessions have their own pages and write paths (services), so they are not here; notes are never shown."""

from django.contrib import admin

from xinyu.common.admin import BackOfficeAdmin
from xinyu.counselling.models import Room


@admin.register(Room)
class RoomAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "location", "school", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "location"]
