"""The shapes of the API's requests and answers, for the OpenAPI schema. The views build plain dicts in
these shapes; schemathesis checks every answer against them."""

from rest_framework import serializers

from xinyu.concerns.models import ConcernReport
from xinyu.roster.json_rows import fields_of


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class Problem(serializers.Serializer):
    kind = serializers.CharField(help_text="students, staff or appointments")
    row = serializers.IntegerField(allow_null=True, help_text="counted from 1 within its list")
    field = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    code = serializers.CharField()
    message = serializers.CharField()


class Error(serializers.Serializer):
    error = ErrorDetail()
    problems = Problem(many=True, required=False)


class Holder(serializers.Serializer):
    post = serializers.CharField()
    post_name = serializers.CharField()
    number = serializers.CharField(help_text="工号 or 学号")
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)


class ClassGroup(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    enrolment_year = serializers.IntegerField()
    major = serializers.CharField(allow_blank=True)
    students_enrolled = serializers.IntegerField()
    posts = Holder(many=True)


class College(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    posts = Holder(many=True)
    classes = ClassGroup(many=True)


class Dorm(serializers.Serializer):
    id = serializers.IntegerField()
    building = serializers.CharField()
    room = serializers.CharField()
    gender = serializers.CharField()
    gender_name = serializers.CharField()
    posts = Holder(many=True)


class School(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField(allow_blank=True)


class Network(serializers.Serializer):
    school = School(allow_null=True)
    school_posts = Holder(many=True)
    colleges = College(many=True)
    dorms = Dorm(many=True)


class Figure(serializers.Serializer):
    key = serializers.CharField(help_text="the figure's path, e.g. concern_reports.by_source.dorm")
    label = serializers.CharField()
    value = serializers.IntegerField(allow_null=True, help_text="null: suppressed (fewer than 5) or not counted")


class CollegeRef(serializers.Serializer):
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()


class MonthState(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    state = serializers.CharField()
    state_name = serializers.CharField()


class GridRow(serializers.Serializer):
    college = CollegeRef()
    months = MonthState(many=True)


class Grid(serializers.Serializer):
    year = serializers.IntegerField()
    colleges = GridRow(many=True)


class CollegeState(serializers.Serializer):
    college = CollegeRef()
    state = serializers.CharField()
    state_name = serializers.CharField()


class MonthSummary(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    suppressed = serializers.BooleanField()
    colleges_counted = serializers.IntegerField()
    figures = Figure(many=True)
    colleges = CollegeState(many=True)


class CollegeReport(serializers.Serializer):
    college = CollegeRef()
    month = serializers.CharField(help_text="YYYY-MM")
    state = serializers.CharField()
    state_name = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    figures = Figure(many=True, help_text="the figures as sent (frozen); empty until the report is sent")


class MonthlyReports(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    reports = CollegeReport(many=True)


class ConcernReportIn(serializers.Serializer):
    reporter_number = serializers.CharField(max_length=32, help_text="学号 or 工号 of the person reporting")
    student_number = serializers.CharField(max_length=32)
    student_name = serializers.CharField(max_length=64)
    category = serializers.ChoiceField(choices=ConcernReport.Category.choices)
    urgency = serializers.ChoiceField(choices=ConcernReport.Urgency.choices)
    description = serializers.CharField(max_length=4000)
    observed_at = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ConcernReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="waiting or taken: what a reporter may know")


def _row(kind: str) -> type[serializers.Serializer]:
    fields = {
        name: serializers.JSONField(required=False, allow_null=True, help_text="text, a number or null")
        for name in fields_of(kind)
    }
    return type(f"{kind.title()}Row", (serializers.Serializer,), fields)


class RosterBatch(serializers.Serializer):
    create_missing = serializers.BooleanField(
        required=False, default=True, help_text="create colleges and classes not yet known (default true)"
    )
    students = _row("students")(many=True, required=False)
    staff = _row("staff")(many=True, required=False)
    appointments = _row("appointments")(many=True, required=False)


class Tally(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    left = serializers.IntegerField()


class RosterSummary(serializers.Serializer):
    students = Tally()
    staff = Tally()
    appointments = Tally()
    colleges = Tally()
    classes = Tally()
    dorms = Tally()


class RosterResult(serializers.Serializer):
    changed = serializers.BooleanField()
    rows = serializers.IntegerField()
    summary = RosterSummary()
