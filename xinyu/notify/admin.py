"""The back office sees whom notifications went to and how the outbox delivered them; it changes nothing.

Rows change only through notify() and the delivery worker: one write path each.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common.admin import ReadOnlyBackOfficeAdmin
from xinyu.notify.models import Notification, OutboxMessage


class OutboxInline(ReadOnlyBackOfficeAdmin, admin.TabularInline):
    model = OutboxMessage
    fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.display(description=pgettext_lazy("of a row", "No."), ordering="pk")
def _number(admin_, obj):
    return obj.pk


@admin.register(Notification)
class NotificationAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    # What an item says is for its recipient: the back office follows its delivery, not its text.
    fields = ["recipient", "urgent", "drill", "created_at", "read_at"]
    readonly_fields = fields
    list_display = ["number", "recipient", "urgent", "drill", "created_at", "read_at"]
    list_filter = ["urgent", "drill", "created_at"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__full_name"]
    date_hierarchy = "created_at"
    inlines = [OutboxInline]
    number = _number


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    list_display = ["number", "channel", "status", "attempts", "next_attempt_at", "sent_at", "recipient"]
    list_filter = ["status", "channel"]
    list_select_related = ["notification__recipient"]
    search_fields = ["notification__recipient__username", "idempotency_key"]
    readonly_fields = ["notification", "idempotency_key", "claimed_until"]
    number = _number

    @admin.display(description=_("recipient"))
    def recipient(self, message):
        return message.notification.recipient
