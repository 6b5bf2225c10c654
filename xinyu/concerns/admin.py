"""The crisis records in the centre's back office: cases and reports to look at (read-only, limited by the
scope module and audited like every other read of them), and the duty roster, which 学工部 keeps through
the same service as its roster page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, client_address, record_many
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CaseEvent, CaseStep, ConcernReport, CrisisCase, DutyShift
from xinyu.concerns.services import duty
from xinyu.core.admin_site import BackOfficeAdmin
from xinyu.org import scope


class ReadOnlyBackOfficeAdmin(BackOfficeAdmin):
    """Looked at in the back office, changed only through the workflow's pages and services. Every page
    that shows students' rows writes one access-log entry per student shown, with the page's response."""

    audit_what = ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _audited(self, request, response, objects) -> None:
        events = []
        for obj in objects:
            tier, grant = scope.tier_for(request.user, obj.student)
            events.append(
                Event(
                    AuditEntry.Action.VIEW,
                    self.audit_what,
                    student=obj.student,
                    tier=tier,
                    post=grant.post if grant else "",
                    detail={self.model._meta.model_name: obj.pk},
                )
            )
        record_many(request.user, events, address=client_address(request))

    def changelist_view(self, request, extra_context=None):
        with transaction.atomic():
            response = super().changelist_view(request, extra_context)
            if isinstance(response, TemplateResponse) and response.context_data and "cl" in response.context_data:
                response.render()
                self._audited(request, response, response.context_data["cl"].result_list)
            return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        with transaction.atomic():
            response = super().change_view(request, object_id, form_url, extra_context)
            original = (response.context_data or {}).get("original") if isinstance(response, TemplateResponse) else None
            if original is not None:
                response.render()
                self._audited(request, response, [original])
            return response


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    fields = ["level", "code", "title", "assignee", "due_at", "completed_at", "superseded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "by_name", "from_level", "to_level", "reason", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    has_view_permission = CaseStepInline.has_view_permission
    has_add_permission = CaseStepInline.has_add_permission
    has_change_permission = CaseStepInline.has_change_permission


@admin.register(CrisisCase)
class CrisisCaseAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    audit_what = "crisis.case.admin"
    list_display = ["pk", "student", "level", "status", "organiser", "opened_at", "is_drill"]
    list_filter = ["status", "level", "is_drill"]
    search_fields = ["student__student_number", "student__name"]
    list_select_related = ["student", "organiser"]
    inlines = [CaseStepInline, CaseEventInline]

    def get_queryset(self, request):
        return scope.cases_for(request.user).select_related("student__class_group", "organiser")


@admin.register(ConcernReport)
class ConcernReportAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    audit_what = "concern.report.admin"
    list_display = ["pk", "student", "category", "urgency", "status", "created_at", "is_drill"]
    list_filter = ["status", "urgency", "category", "is_drill"]
    search_fields = ["student__student_number", "student__name"]
    list_select_related = ["student"]

    def get_queryset(self, request):
        return scope.reports_for(request.user).select_related("student__class_group")


class _DryRun(Exception):
    pass


class DutyShiftForm(forms.ModelForm):
    """A new shift, checked by the roster service itself (overlaps, length, who may be on duty)."""

    class Meta:
        model = DutyShift
        fields = ["person", "starts_at", "ends_at", "phone"]

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():  # the service's own checks, its writes rolled back
                duty.add_shift(**self._shift(cleaned))
                raise _DryRun
        except _DryRun:
            pass
        except ConcernError as error:
            raise ValidationError(str(error)) from None
        return cleaned

    def _shift(self, cleaned) -> dict:
        return {
            "person": cleaned["person"],
            "starts_at": cleaned["starts_at"],
            "ends_at": cleaned["ends_at"],
            "phone": cleaned.get("phone", ""),
            "by": self.by,
        }


@admin.register(DutyShift)
class DutyShiftAdmin(BackOfficeAdmin, admin.ModelAdmin):
    """The duty roster: the back office sees it; 学工部 adds and removes shifts (through the roster service)."""

    form = DutyShiftForm
    list_display = ["person", "starts_at", "ends_at", "phone"]
    list_select_related = ["person"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["person"]

    def has_add_permission(self, request):
        return scope.may_manage_duty_roster(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a shift is removed and added again, never edited in place

    def has_delete_permission(self, request, obj=None):
        # Ended shifts stay as the record of who was on duty.
        ended = obj is not None and obj.ends_at <= timezone.now()
        return scope.may_manage_duty_roster(request.user) and not ended

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, by=request.user, **inner)

        return RequestForm

    def save_model(self, request, obj, form, change):
        shift = duty.add_shift(**form._shift(form.cleaned_data))
        obj.pk = shift.pk

    def delete_model(self, request, obj):
        try:
            duty.remove_shift(obj, by=request.user)
        except ConcernError as error:
            self.message_user(request, str(error), level="error")

    def delete_queryset(self, request, queryset):
        for shift in queryset:
            self.delete_model(request, shift)
