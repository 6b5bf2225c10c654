"""concerns.report: a campus app submits a concern report on behalf of a person it has signed in.

The reporter is the person the request names by 学号 or 工号 — an active account holding a post (a dorm
leader, a class wellbeing rep, a head teacher, an advisor …) — and the report goes through the same service
as the web form (`concerns.services.reports`), peer look-up limits included. The token's owner is written to
the access log beside it. The answer says only what a reporter may know: the report's number and whether it
has been taken.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from xinyu.accounts.models import User
from xinyu.api import schemas
from xinyu.api.base import ApiView
from xinyu.api.errors import ApiError
from xinyu.api.models import Operation
from xinyu.audit.models import AuditEntry
from xinyu.concerns.services import reports
from xinyu.org import scope
from xinyu.org.access_log import Event, client_address, record


def first_error(errors: dict) -> str:
    """One sentence naming the first field the serializer refused."""
    for field, messages in errors.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(message, dict):
            return first_error(message)
        return _("%(field)s: %(message)s") % {"field": field, "message": message}
    return _("The request could not be read.")


def reporter_for(number: str) -> User:
    reporter = User.objects.filter(username=reports.normalise_typed(number)).first()
    if reporter is None or reporter.has_left:
        raise ApiError(_("No one who may report has this number."), code="unknown_reporter")
    if not scope.posts_of(reporter):
        raise ApiError(
            _("Reports through the API are made by people holding a post (dorm leader, class wellbeing rep, head "
              "teacher, advisor …); this person holds none."),
            code="reporter_without_post",
        )  # fmt: skip
    return reporter


class ConcernReportView(ApiView):
    operation = Operation.CONCERNS_REPORT

    @extend_schema(
        operation_id="concern_report",
        request=schemas.ConcernReportIn,
        responses={
            201: schemas.ConcernReportOut,
            400: schemas.Error,
            401: schemas.Error,
            403: schemas.Error,
            413: schemas.Error,
        },
        tags=["concerns.report"],
    )
    def post(self, request):
        """Submit a concern report about a student named by 学号 and name, as the reporter named by number."""
        form = schemas.ConcernReportIn(data=request.data)
        if not form.is_valid():
            raise ApiError(first_error(form.errors), code="invalid")
        data = form.validated_data
        reporter = reporter_for(data["reporter_number"])
        address = client_address(request._request)
        student = reports.find_student_for_report(
            reports.reporter_school(reporter), data["student_number"], data["student_name"],
            reporter=reporter, address=address,
        )  # fmt: skip
        with transaction.atomic():
            report = reports.submit_report(
                reporter, student, category=data["category"], urgency=data["urgency"],
                description=data["description"], observed_at=data.get("observed_at"), place=data.get("place", ""),
            )  # fmt: skip
            record(
                request.user,
                Event(AuditEntry.Action.CREATE, "api.concern_report", student=student,
                      detail={"report": report.pk, "reporter": reporter.username, **self.via()}),
                address=address,
            )  # fmt: skip
        return Response({"id": report.pk, "status": reports.reporter_status(report)}, status=201)
