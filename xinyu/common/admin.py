"""The back office (Django admin) is the technical administrator's (DESIGN.md §9): a superuser who holds no
tier over students. Data that grants access (posts, accounts' permissions, a student's class and status) is
read-only there: it changes through the pages and services that apply the rules and write the access log.
Every model admin uses one of these mixins, so there is one permission system."""


def is_technical_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


class BackOfficeAdmin:
    """Model admins of the back office: permission follows `scope.may_use_admin`, not Django's per-model
    permissions, so there is one permission system."""

    def has_module_permission(self, request):
        return is_technical_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_technical_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_technical_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_technical_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_technical_admin(request.user)


class ReadOnlyBackOfficeAdmin(BackOfficeAdmin):
    """Shown in the back office, changed only through Xinyu's pages and services."""

    def has_add_permission(self, request, *args):  # inlines pass the parent object
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
