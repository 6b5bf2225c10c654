from django.utils.translation import gettext_lazy as _

from xinyu.common.admin import is_technical_admin


def configure_admin_site(site):
    """The back office's titles, and who enters it: the technical administrator only."""
    site.site_header = _("Xinyu back office")
    site.site_title = _("Xinyu back office")
    site.index_title = _("Back office")

    def has_permission(request):
        return is_technical_admin(request.user)

    site.has_permission = has_permission
