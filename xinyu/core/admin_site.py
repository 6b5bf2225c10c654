"""The back office (Django admin) is the technical administrator's (DESIGN.md §9): a superuser who holds no
tier over students. Staff work in Xinyu's own pages. Data that grants access (posts, accounts' permissions,
a student's class and status) is read-only here: it changes through the pages and services that apply the
rules and write the access log."""

from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, client_address, record_many
from xinyu.org import scope

TECHNICAL_ADMIN = "technical_admin"  # the access log's post for the technical administrator


def configure_admin_site(site):
    site.site_header = _("Xinyu back office")
    site.site_title = _("Xinyu back office")
    site.index_title = _("Back office")

    def has_permission(request):
        return scope.may_use_admin(request.user)

    site.has_permission = has_permission


class BackOfficeAdmin:
    """Model admins of the back office: permission follows `scope.may_use_admin`, not Django's per-model
    permissions, so there is one permission system."""

    def has_module_permission(self, request):
        return scope.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)

    def has_add_permission(self, request, *args):
        return scope.may_use_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)


class ReadOnlyBackOfficeAdmin(BackOfficeAdmin):
    """Shown in the back office, changed only through Xinyu's pages and services."""

    def has_add_permission(self, request, *args):  # inlines pass the parent object
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedReadsAdmin:
    """Pages that show students' rows write one access-log entry per student shown, at `audit_tier`, in the
    same transaction as the response. `audit_student(obj)` names the student of a row."""

    audit_what = ""
    audit_tier = scope.Tier.T1

    def audit_student(self, obj):
        return obj

    def _audited(self, request, objects) -> None:
        events = [
            Event(
                AuditEntry.Action.VIEW,
                self.audit_what,
                student=self.audit_student(obj),
                tier=self.audit_tier,
                post=TECHNICAL_ADMIN,
                detail={self.model._meta.model_name: obj.pk},
            )
            for obj in objects
        ]
        record_many(request.user, events, address=client_address(request))

    def changelist_view(self, request, extra_context=None):
        with transaction.atomic():
            response = super().changelist_view(request, extra_context)
            if isinstance(response, TemplateResponse) and response.context_data and "cl" in response.context_data:
                response.render()
                self._audited(request, response.context_data["cl"].result_list)
            return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        with transaction.atomic():
            response = super().change_view(request, object_id, form_url, extra_context)
            original = (response.context_data or {}).get("original") if isinstance(response, TemplateResponse) else None
            if original is not None and request.method == "GET":
                response.render()
                self._audited(request, [original])
            return response
