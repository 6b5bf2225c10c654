"""The student file (心理健康档案): the page, its print view and Word export, "who opened this file", and the
student's own page. Who may open which file is `scope.get_file_student` (T2 or more; 404 otherwise)."""

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from xinyu.accounts.stepup import recently_reauthenticated, step_up_required, step_up_url
from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires, staff_only, student_only
from xinyu.concerns import scope as concern_scope
from xinyu.concerns.services import reports
from xinyu.org.access_log import Read, client_address, record_read
from xinyu.privacy import breakglass
from xinyu.studentfile import scope
from xinyu.studentfile.readers import readers_by_day
from xinyu.studentfile.services import file_to_docx, read_file

ACCESS_LOG_PAGE = 50
MY_REPORTS_SHOWN = 10
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _kinds(request) -> list[str]:
    return [kind for kind in request.GET.getlist("kind") if kind]


def _asks_confidential(request) -> bool:
    return request.GET.get("confidential") == "1"


def _query_without(request, *names) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@staff_only
@require_GET
def file(request, student_id):
    """The file at the viewer's tier. Confidential (T4) entries show under the rule of every T4 page: after a
    recent step-up; before it, the page says they are there and offers the step-up."""
    student, tier, grant = scope.get_file_student(request.user, student_id)
    student_file = read_file(
        request.user, student, tier, grant, kinds=_kinds(request), confidential=recently_reauthenticated(request),
        address=client_address(request),
    )  # fmt: skip
    context = {
        "file": student_file,
        "student": student,
        "may_see_access_log": scope.may_see_file_access_log(request.user),
        "print_query": _query_without(request, "confidential"),
        "confidential_hidden": student_file.has_confidential and not student_file.includes_confidential,
        "step_up_url": step_up_url(request.get_full_path()),
    }
    return render(request, "studentfile/file.html", context)


@staff_only
@step_up_required
@require_GET
def file_print(request, student_id):
    """A4-friendly; confidential entries only when a viewer who reads them asks (`?confidential=1`). A printout
    leaves Xinyu as an export does, so it asks for step-up as an export does."""
    student, tier, grant = scope.get_file_student(request.user, student_id)
    student_file = read_file(
        request.user, student, tier, grant, action=AuditEntry.Action.PRINT, kinds=_kinds(request),
        confidential=_asks_confidential(request), address=client_address(request),
    )  # fmt: skip
    context = {"file": student_file, "student": student, "printed_at": timezone.localtime()}
    return render(request, "studentfile/print.html", context)


@staff_only
@step_up_required
@require_GET
def file_export(request, student_id):
    student, tier, grant = scope.get_file_student(request.user, student_id)
    student_file = read_file(
        request.user, student, tier, grant, action=AuditEntry.Action.EXPORT, kinds=_kinds(request),
        confidential=_asks_confidential(request), address=client_address(request),
    )  # fmt: skip
    response = HttpResponse(file_to_docx(student_file, request.user), content_type=DOCX)
    filename = f"心理健康档案-{student.student_number}-{timezone.localdate():%Y%m%d}.docx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@requires(scope.may_see_file_access_log, "centre")
@require_GET
def access_log(request, student_id):
    """Who opened this student's file (and every other read or change of their data): the centre only.
    Reading it is itself recorded."""
    student, tier, grant = scope.get_access_log_student(request.user, student_id)
    with transaction.atomic():
        entries = AuditEntry.objects.filter(student=student).order_by("-id")
        page = Paginator(entries, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
        rows = list(page)
        # An emergency access's reason is kept with its grant, not in the log.
        reasons = breakglass.reasons_behind(request.user, rows)
        for entry in rows:
            entry.shown_reason = reasons.get(entry.pk, entry.reason)
        # The short view on the first page only: the pages after it go on through the entries.
        readers = readers_by_day(student) if page.number == 1 else []
        record_read(
            request,
            Read.FILE_ACCESS_LOG,
            student=student,
            tier=tier,
            post=grant.post if grant else "",
            detail={"page": page.number},
        )
    context = {
        "student": student,
        "page": page,
        "rows": rows,
        "readers": readers,
    }
    return render(request, "studentfile/access_log.html", context)


# The student's own page: links to pages other parts of Xinyu provide, shown once they exist.
MY_LINKS = (
    ("counselling:my_bookings", _("My counselling appointments"), _("Book, change or cancel a counselling talk.")),
    ("screening:my_results", _("My screening results"), _("Your own results, where the campaign allows it.")),
    ("privacy:mine", _("My consents and my file's access"), _("What you agreed to, and who has opened your file.")),
    ("concerns:my_reports", _("Concerns I reported"), _("Whether someone has taken each report you made.")),
)  # fmt: skip


def _my_links() -> list[dict]:
    links = []
    for name, label, help_text in MY_LINKS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        links.append({"name": name, "url": url, "label": label, "help": help_text})
    return links


@student_only
@require_GET
def mine(request):
    """A student's own page: their appointments, results, consents, and their reports' status (only
    whether someone has taken them, as on their reports page)."""
    own = (
        concern_scope.own_reports(request.user)
        .select_related("student")
        .only("pk", "created_at", "category", "urgency", "status", "is_drill", "student__name")
        .order_by("-created_at", "-pk")
    )
    items = [{"report": report, "status": reports.reporter_status(report)} for report in own[:MY_REPORTS_SHOWN]]
    context = {"student": scope.own_student(request.user), "links": _my_links(), "reports": items}
    return render(request, "studentfile/mine.html", context)
