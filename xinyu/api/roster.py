"""roster.sync: the 学工系统 upserts students (with their classes and dorm rooms), staff and posts.

The Excel import's code path with a JSON reader (`roster.json_rows`): the same checks, the same plan, the
same all-or-nothing apply with its access-log entries, acting as the token's owner, who must be allowed to
import the roster (学工部 staff or the centre's supervisor) and, for posts, to grant them. A batch holds at
most MAX_ROWS rows; sending it again changes nothing.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from xinyu.api import schemas
from xinyu.api.base import ApiView
from xinyu.api.errors import ApiError
from xinyu.api.models import Operation
from xinyu.audit.models import AuditEntry
from xinyu.org import scope
from xinyu.org.access_log import Event, client_address, record
from xinyu.roster import importer
from xinyu.roster.columns import SHEET_KINDS
from xinyu.roster.json_rows import parse_records
from xinyu.roster.summary import summarise
from xinyu.roster.validation import check

MAX_ROWS = 5000
EXAMPLE = {
    "create_missing": True,
    "students": [{
        "student_number": "2025010001", "name": "张三", "gender": "男", "date_of_birth": "2007-03-07",
        "enrolment_year": 2025, "status": "在读", "college": "信息工程学院", "class_group": "软件2501班",
        "major": "软件技术", "building": "1号楼", "room": "101", "phone": "13800000000",
        "guardian_name": "张建国", "guardian_relation": "父亲", "guardian_phone": "13900000000",
    }],
    "staff": [{"username": "T20001", "name": "李老师", "phone": "13700000000", "email": "li@example.edu.cn"}],
    "appointments": [{"username": "T20001", "post": "班主任", "scope": "软件2501班", "starts_on": "2025-09-01"}],
}  # fmt: skip


def problem_data(problem) -> dict:
    where = _("%(kind)s, row %(row)s, field %(field)s") % {
        "kind": SHEET_KINDS[problem.sheet].sheet_name if problem.sheet in SHEET_KINDS else problem.sheet,
        "row": problem.row,
        "field": problem.column,
    }
    return {
        "kind": problem.sheet,
        "row": problem.row,
        "field": problem.column,
        "value": str(problem.value or ""),
        "code": problem.code,
        "message": f"{where}：{problem.reason}" if problem.row else problem.reason,
    }


def read_batch(data) -> tuple[dict, bool]:
    if not isinstance(data, dict):
        raise ApiError(_("The request body must be a JSON object."), code="invalid")
    unknown = sorted(str(name) for name in data if name not in SHEET_KINDS and name != "create_missing")
    if unknown:
        raise ApiError(
            _("Unknown keys: %(keys)s. A batch holds create_missing, students, staff and appointments.")
            % {"keys": ", ".join(unknown)[:200]},
            code="invalid",
        )
    lists = {}
    for kind in SHEET_KINDS:
        rows = data.get(kind) or []
        if not isinstance(rows, list):
            raise ApiError(_("%(kind)s must be a list of rows.") % {"kind": kind}, code="invalid")
        lists[kind] = rows
    create_missing = data.get("create_missing", True)
    if not isinstance(create_missing, bool):
        raise ApiError(_("create_missing must be true or false."), code="invalid")
    total = sum(len(rows) for rows in lists.values())
    if total > MAX_ROWS:
        raise ApiError(
            _("A batch holds at most %(max)s rows; this one holds %(n)s. Send it in several batches.")
            % {"max": MAX_ROWS, "n": total},
            code="batch_too_large",
            status_code=413,
        )
    if total == 0:
        raise ApiError(_("The batch holds no rows."), code="empty_batch")
    return lists, create_missing


class RosterSyncView(ApiView):
    operation = Operation.ROSTER_SYNC

    @extend_schema(
        operation_id="roster_sync",
        request=schemas.RosterBatch,
        responses={200: schemas.RosterResult, 400: schemas.Error, 401: schemas.Error, 403: schemas.Error,
                   413: schemas.Error, 422: schemas.Error},
        examples=[OpenApiExample("batch", value=EXAMPLE, request_only=True)],
        tags=["roster.sync"],
    )  # fmt: skip
    def post(self, request):
        """Upsert a batch of students, staff and posts: all or nothing, with the change summary."""
        if not scope.may_import_roster(request.user):
            raise PermissionDenied(_("The token's owner may not import the roster."))
        return self.sync(request)

    @importer.collector_paused  # as the Excel import reads and checks its rows (see there why)
    def sync(self, request):
        lists, create_missing = read_batch(request.data)
        checked = check(parse_records(lists))
        address = client_address(request._request)
        rows = sum(len(rows) for rows in lists.values())
        try:
            # The sync's own entry commits with the rows it wrote, or neither does.
            with transaction.atomic():
                plan = importer.apply_import(
                    checked, actor=request.user, create_missing=create_missing, address=address
                )
                summary = summarise(plan, checked)
                record(
                    request.user,
                    Event(AuditEntry.Action.IMPORT, "api.roster_sync",
                          detail={"rows": rows, "changed": plan.has_changes, "summary": summary, **self.via()}),
                    address=address,
                )  # fmt: skip
        except importer.ImportRejected as rejected:
            problems = rejected.plan.problems
            raise ApiError(
                _("The batch was refused and nothing was written: %(n)s problems.") % {"n": len(problems)},
                code="rows_refused",
                status_code=422,
                problems=[problem_data(problem) for problem in problems],
            ) from None
        return Response({"changed": plan.has_changes, "rows": rows, "summary": summary})
