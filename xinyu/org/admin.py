from django.contrib import admin
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from xinyu.audit.models import AuditEntry
from xinyu.common.admin import BackOfficeAdmin, ReadOnlyBackOfficeAdmin
from xinyu.org import scope
from xinyu.org.access_log import Event, Read, client_address, read_event, record, record_reads
from xinyu.org.models import (
    Appointment,
    ClassGroup,
    College,
    Department,
    DormRoom,
    Guardian,
    School,
    Student,
)
from xinyu.org.scope import TECHNICAL_ADMIN


class NetworkAdmin(BackOfficeAdmin):
    """The places of the network. Nothing is deleted here (deleting a place would end its posts without the
    log), and what a place belongs to is fixed once it exists (moving a class moves its students' scope)."""

    fixed_on_change: tuple = ()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fixed_on_change if obj is not None else ()


class AuditedReadsAdmin:
    """Pages that show students' rows write one access-log entry per student shown, at `audit_tier`, in the
    same transaction as the response. `audit_student(obj)` names the student of a row."""

    audit_what = ""
    audit_tier = scope.Tier.T1

    def audit_student(self, obj):
        return obj

    def _audited(self, request, objects) -> None:  # one entry per student shown
        events = [
            read_event(
                self.audit_what,
                student=self.audit_student(obj),
                tier=self.audit_tier,
                post=TECHNICAL_ADMIN,
                detail={self.model._meta.model_name: obj.pk},
            )
            for obj in objects
        ]
        record_reads(request, events)

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


@admin.register(School)
class SchoolAdmin(NetworkAdmin, admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(College)
class CollegeAdmin(NetworkAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "school"]
    search_fields = ["name", "code"]
    fixed_on_change = ("school",)


@admin.register(Department)
class DepartmentAdmin(NetworkAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "school"]
    list_filter = ["kind"]
    fixed_on_change = ("school", "kind")


@admin.register(ClassGroup)
class ClassGroupAdmin(NetworkAdmin, admin.ModelAdmin):
    list_display = ["name", "college", "enrolment_year", "major"]
    list_filter = ["college", "enrolment_year"]
    search_fields = ["name", "major"]
    fixed_on_change = ("college",)


@admin.register(DormRoom)
class DormRoomAdmin(NetworkAdmin, admin.ModelAdmin):
    list_display = ["building", "room", "gender"]
    list_filter = ["building", "gender"]
    search_fields = ["building", "room"]
    fixed_on_change = ("school", "gender")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    """Posts are granted, confirmed and ended on the network pages (`xinyu.org.services`), never here."""

    list_display = ["person", "post", "over", "status", "starts_on", "ends_on", "granted_by", "decided_by"]
    list_filter = ["post", "status"]
    search_fields = ["person__full_name", "person__username"]
    list_select_related = [
        "person", "granted_by", "decided_by", "school", "department", "college", "class_group", "dorm_room",
    ]  # fmt: skip

    @admin.display(description=_("Scope of the post"))
    def over(self, appointment):
        return appointment.scope


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0

    def has_view_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


# Who a student is and where they belong decide who sees them: the roster import changes these, with its
# checks and the access log; the back office corrects contact details only.
STUDENT_READ_ONLY = [
    "school", "student_number", "name", "gender", "date_of_birth", "id_number_masked", "enrolment_year", "status",
    "class_group", "dorm_room", "user",
]  # fmt: skip


@admin.register(Student)
class StudentAdmin(AuditedReadsAdmin, BackOfficeAdmin, admin.ModelAdmin):
    """Students at T1 for the technical administrator (roster and contact details), every read in the log."""

    audit_what = Read.STUDENT_ADMIN
    fields = [*STUDENT_READ_ONLY, "phone"]
    readonly_fields = STUDENT_READ_ONLY
    list_display = ["student_number", "name", "class_group", "status", "dorm_room"]
    list_filter = ["status", "enrolment_year"]
    search_fields = ["student_number", "name"]
    list_select_related = ["class_group", "dorm_room"]
    inlines = [GuardianInline]

    def get_queryset(self, request):
        return scope.back_office_students(request.user)

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                request.user,
                Event(
                    AuditEntry.Action.UPDATE,
                    "student.admin",
                    student=obj,
                    tier=scope.Tier.T1,
                    post=TECHNICAL_ADMIN,
                    detail={"fields": sorted(form.changed_data)},
                ),
                address=client_address(request),
            )
