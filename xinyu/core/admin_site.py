from django.utils.translation import gettext_lazy as _

from xinyu.org import scope


def configure_admin_site(site):
    """The Django admin is the centre's back office: only its staff (and the technical superuser) enter."""
    site.site_header = _("Xinyu back office")
    site.site_title = _("Xinyu back office")
    site.index_title = _("Back office")

    def has_permission(request):
        return request.user.is_active and scope.may_use_admin(request.user)

    site.has_permission = has_permission


class BackOfficeAdmin:
    """Model admins for the centre's back office: permission follows `scope.may_use_admin`, not Django's
    per-model permissions, so there is one permission system."""

    def has_module_permission(self, request):
        return scope.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)

    def has_add_permission(self, request):
        return scope.may_use_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)
