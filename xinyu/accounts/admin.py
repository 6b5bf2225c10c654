import secrets

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from xinyu.accounts import twofactor
from xinyu.accounts.models import TwoFactorDevice, User
from xinyu.audit.services import client_address
from xinyu.core.admin_site import BackOfficeAdmin
from xinyu.org import scope

TEMPORARY_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password)


def temporary_password() -> str:
    return "".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _ in range(12))


@admin.register(User)
class UserAdmin(BackOfficeAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "kind", "is_active", "must_change_password", "has_two_factor", "left_on"]
    list_filter = ["kind", "is_active", "must_change_password"]
    search_fields = ["username", "full_name"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "kind", "phone", "email", "left_on"]}),
        (_("Access"), {"fields": ["is_active", "must_change_password", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "full_name", "kind", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined", "is_superuser"]
    actions = ["reset_password", "reset_two_factor"]

    def get_queryset(self, request):
        """Staff accounts, and the accounts of the students this user may see (through the scope module)."""
        visible_students = scope.students_for(request.user).values("user_id")
        return super().get_queryset(request).filter(Q(kind=User.Kind.STAFF) | Q(pk__in=visible_students))

    @admin.action(description=_("Reset password (a temporary password, to be changed at next sign-in)"))
    def reset_password(self, request, queryset):
        issued = []
        for user in queryset:
            password = temporary_password()
            user.set_password(password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
            issued.append(f"{user.username}: {password}")
        messages.warning(
            request,
            ngettext(
                "Temporary password issued; pass it on in person, it is shown only once: %(list)s",
                "Temporary passwords issued; pass them on in person, they are shown only once: %(list)s",
                len(issued),
            )
            % {"list": "；".join(issued)},
        )

    @admin.display(description=_("authenticator"), boolean=True)
    def has_two_factor(self, user):
        return TwoFactorDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()

    @admin.action(description=_("Reset authenticator (lost phone: set it up again at next sign-in)"))
    def reset_two_factor(self, request, queryset):
        own = queryset.filter(pk=request.user.pk).exists()
        others = list(queryset.exclude(pk=request.user.pk))
        reset = twofactor.reset_devices(request.user, others, address=client_address(request))
        if own:
            messages.error(request, _("You cannot reset your own authenticator; ask a colleague in the back office."))
        if reset:
            messages.success(
                request,
                ngettext(
                    "Authenticator reset; they set it up again at their next sign-in: %(list)s",
                    "Authenticators reset; they set them up again at their next sign-in: %(list)s",
                    len(reset),
                )
                % {"list": "、".join(reset)},
            )
        elif others:
            messages.info(request, _("None of the selected users had an authenticator."))
