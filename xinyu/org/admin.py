from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, client_address, record
from xinyu.core.admin_site import BackOfficeAdmin
from xinyu.org import scope
from xinyu.org.id_numbers import normalise_id_number
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
from xinyu.org.services import validate_appointment


@admin.register(School)
class SchoolAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(College)
class CollegeAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "school"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "school"]
    list_filter = ["kind"]


@admin.register(ClassGroup)
class ClassGroupAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["name", "college", "enrolment_year", "major"]
    list_filter = ["college", "enrolment_year"]
    search_fields = ["name", "major"]


@admin.register(DormRoom)
class DormRoomAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["building", "room", "gender"]
    list_filter = ["building", "gender"]
    search_fields = ["building", "room"]


class AppointmentAdminForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = [
            "person",
            "post",
            "school",
            "department",
            "college",
            "class_group",
            "dorm_room",
            "starts_on",
            "ends_on",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            validate_appointment(Appointment(**cleaned))
        return cleaned


@admin.register(Appointment)
class AppointmentAdmin(BackOfficeAdmin, admin.ModelAdmin):
    form = AppointmentAdminForm
    list_display = ["person", "post", "scope", "starts_on", "ends_on"]
    list_filter = ["post"]
    search_fields = ["person__full_name", "person__username"]
    autocomplete_fields = ["person", "college", "class_group", "dorm_room"]
    list_select_related = ["person", "school", "department", "college", "class_group", "dorm_room"]


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0

    def has_view_permission(self, request, obj=None):
        return scope.may_use_admin(request.user)

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


class StudentAdminForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"), required=False, help_text=_("Leave empty to keep the stored number.")
    )

    class Meta:
        model = Student
        fields = [
            "school",
            "student_number",
            "name",
            "gender",
            "date_of_birth",
            "enrolment_year",
            "status",
            "class_group",
            "dorm_room",
            "phone",
            "user",
        ]

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return normalise_id_number(value) if value else ""


@admin.register(Student)
class StudentAdmin(BackOfficeAdmin, admin.ModelAdmin):
    """Students in the back office, limited by the scope module like every other view."""

    form = StudentAdminForm
    list_display = ["student_number", "name", "class_group", "status", "dorm_room"]
    list_filter = ["status", "enrolment_year"]
    search_fields = ["student_number", "name"]
    list_select_related = ["class_group", "dorm_room"]
    autocomplete_fields = ["class_group", "dorm_room", "user"]
    readonly_fields = ["id_number_masked"]
    inlines = [GuardianInline]

    def get_queryset(self, request):
        return scope.students_for(request.user, scope.Tier.T1)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a student in the back office shows guardians and the masked ID number: audited."""
        student = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if student is None or request.method != "GET":
            return super().change_view(request, object_id, form_url, extra_context)
        tier, grant = scope.tier_for(request.user, student)
        with transaction.atomic():
            record(
                request.user,
                Event(
                    AuditEntry.Action.VIEW,
                    "student.admin",
                    student=student,
                    tier=tier,
                    post=grant.post if grant else "",
                ),
                address=client_address(request),
            )
            return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("id_number"):
            obj.set_id_number(form.cleaned_data["id_number"])
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            tier, grant = scope.tier_for(request.user, obj)
            action = AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE
            record(
                request.user,
                Event(
                    action,
                    "student.admin",
                    student=obj,
                    tier=tier,
                    post=grant.post if grant else "",
                    detail={"fields": sorted(form.changed_data)},
                ),
                address=client_address(request),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(
                request.user,
                Event(AuditEntry.Action.DELETE, "student.admin", student=obj),
                address=client_address(request),
            )
            super().delete_model(request, obj)
