"""Accounts in the back office (the technical administrator's). Who may do what comes from posts, granted on
the network pages; passwords and authenticators are reset on the credentials page under its rules. Here an
account's name and contact details are kept, and new staff accounts are made (with no post, they see
nothing, and they must change the password at their first sign-in)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from xinyu.accounts.models import TwoFactorDevice, User
from xinyu.common.admin import BackOfficeAdmin

# What grants or guards access is not edited here.
ACCESS_FIELDS = [
    "username", "password", "kind", "is_active", "is_staff", "is_superuser", "must_change_password", "left_on",
    "last_login", "date_joined",
]  # fmt: skip


# Xinyu's one permission system is posts over the network (xinyu.org.scope); Django's groups grant nothing.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BackOfficeAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "kind", "is_active", "must_change_password", "has_two_factor", "left_on"]
    list_filter = ["kind", "is_active", "must_change_password"]
    search_fields = ["username", "full_name"]
    ordering = ["username"]
    fieldsets = [
        (_("Person"), {"fields": ["username", "full_name", "phone", "email"]}),
        (_("Access"), {"fields": ["kind", "is_active", "is_staff", "is_superuser", "must_change_password", "left_on"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "full_name", "password1", "password2"]})]
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return ACCESS_FIELDS if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied  # passwords are reset on the credentials page, never set by someone else

    def save_model(self, request, obj, form, change):
        if not change:
            obj.kind = User.Kind.STAFF
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    @admin.display(description=_("authenticator"), boolean=True)
    def has_two_factor(self, user):
        return TwoFactorDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()
