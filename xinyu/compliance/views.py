"""The compliance board's pages (第十三–十五条). Reading: the leading group, 学工部 and the centre's supervisor;
keeping the ledger, qualifications and facilities: 学工部 and the supervisor (`xinyu.compliance.scope`).
Everyone else gets 404. Thin: the figures come from `board`, the import from `ledger`, the writes from
`services`. No page names a student."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinyu.accounts.models import User
from xinyu.accounts.stepup import step_up_required
from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires
from xinyu.compliance import board as bd
from xinyu.compliance import exports, ledger, scope, services
from xinyu.compliance.forms import BudgetForm, LedgerUploadForm, QualificationForm, StationForm, end_of
from xinyu.compliance.models import (
    COUNTS_TOWARD_FLOOR,
    Budget,
    Category,
    LedgerImport,
    LedgerLine,
    Qualification,
    StationDocument,
)
from xinyu.counselling.forms import RoomForm
from xinyu.counselling.models import Room
from xinyu.org.access_log import Event, Read, client_address, record_read, record_request
from xinyu.org.models import College
from xinyu.policy.loader import policy_in_force
from xinyu.roster import export
from xinyu.roster.problems import RefusedFile

board_view = requires(scope.may_view_board, "compliance")
edit_view = requires(scope.may_edit, "compliance_edit")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIRST_YEAR, LAST_YEAR = 2000, 2100
RECENT_IMPORTS = 5
PROBLEMS_SHOWN = 200


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@board_view
@require_GET
def board(request):
    school = scope.school_for(request.user)
    year = _year(request)
    facts = bd.figures(school, year)
    with transaction.atomic():
        record_read(request, Read.COMPLIANCE_BOARD, detail={"year": year})
        return render(
            request,
            "compliance/board.html",
            {
                "school": school,
                "year": year,
                "facts": facts,
                "rows": bd.rows_from(school, facts),
                "history": bd.history(school, year),
                "hours": bd.credited_hours(school, year),
                "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
                "may_edit": scope.may_edit(request.user),
                "interview_minutes": policy_in_force().workforce.interview_minutes,
            },
        )


def _export(request, kind: str) -> HttpResponse:
    school = scope.school_for(request.user)
    year = _year(request)
    with transaction.atomic():
        if kind == "xlsx":
            content, _count = exports.to_xlsx(school, year)
        else:
            content = exports.to_docx(school, year, request.user)
        record_request(
            request, Event(AuditEntry.Action.EXPORT, "compliance.board", detail={"year": year, "format": kind})
        )
    content_type = export.XLSX_TYPE if kind == "xlsx" else DOCX
    return _download(content, content_type, _("compliance-%(year)s.%(kind)s") % {"year": year, "kind": kind})


@board_view
@step_up_required
@require_GET
def board_xlsx(request):
    return _export(request, "xlsx")


@board_view
@step_up_required
@require_GET
def board_docx(request):
    return _export(request, "docx")


def _ledger_page(request, *, form=None, problems=None, status=200):
    school = scope.school_for(request.user)
    year = _year(request)
    lines = LedgerLine.objects.filter(school=school, date__year=year)
    totals = bd.spending(school, year)
    categories = [(Category(value).label, totals[value], COUNTS_TOWARD_FLOOR[value]) for value in Category.values]
    may_edit = scope.may_edit(request.user)
    return render(
        request,
        "compliance/ledger.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            "lines": lines,
            "categories": categories,
            "facts": bd.figures(school, year),
            "budget": Budget.objects.filter(school=school, year=year).first(),
            "imports": LedgerImport.objects.filter(school=school, year=year).select_related("imported_by")[
                :RECENT_IMPORTS
            ],
            "may_edit": may_edit,
            "form": form or (LedgerUploadForm(initial={"year": year}) if may_edit else None),
            "problems": (problems or [])[:PROBLEMS_SHOWN],
            "more_problems": max(0, len(problems or []) - PROBLEMS_SHOWN),
        },
        status=status,
    )


@board_view
@require_GET
def ledger_list(request):
    return _ledger_page(request)


@edit_view
@require_POST
def ledger_import(request):
    school = scope.editable_school_for(request.user)
    form = LedgerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _ledger_page(request, form=form, status=400)
    year = form.cleaned_data["year"]
    try:
        done = ledger.import_ledger(
            school, year, form.cleaned_data["file"], by=request.user, address=client_address(request)
        )
    except RefusedFile as refused:
        form.add_error("file", refused.reason)
        return _ledger_page(request, form=form, status=400)
    except ledger.LedgerRefused as refused:
        return _ledger_page(request, form=form, problems=refused.problems, status=400)
    summary = done.summary
    messages.success(
        request,
        _(
            "The ledger for %(year)s is imported: %(lines)s lines (%(added)s added, %(changed)s changed, "
            "%(removed)s removed, %(unchanged)s unchanged)."
        )
        % {"year": year, **summary},
    )
    return redirect(f"{reverse('compliance:ledger')}?year={year}")


@edit_view
@require_http_methods(["GET", "POST"])
def budget(request):
    school = scope.editable_school_for(request.user)
    year = _year(request)
    existing = Budget.objects.filter(school=school, year=year).first()
    initial = {} if existing else {"headcount_on": min(timezone.localdate(), end_of(year))}
    form = BudgetForm(request.POST or None, instance=existing, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_budget(form, school=school, year=year, by=request.user, address=client_address(request))
        messages.success(request, _("The budget is saved."))
        return redirect(f"{reverse('compliance:ledger')}?year={year}")
    return render(request, "compliance/budget_form.html", {"form": form, "year": year})


def _teachers(school):
    """The centre's full-time and part-time teachers today, each with their qualification (or None)."""
    today = timezone.localdate()
    full_time = set(bd.teacher_ids(school, today))
    part_time = set(bd.teacher_ids(school, today, scope.PART_TIME_POSTS)) - full_time
    people = User.objects.filter(pk__in=full_time | part_time).order_by("full_name", "username")
    qualifications = {q.person_id: q for q in Qualification.objects.filter(person__in=people)}
    return [
        {
            "person": person,
            "full_time": person.pk in full_time,
            "qualification": qualifications.get(person.pk),
            "valid": bool(qualifications.get(person.pk) and qualifications[person.pk].holds_on(today)),
        }
        for person in people
    ]


@board_view
@require_GET
def qualifications(request):
    school = scope.school_for(request.user)
    with transaction.atomic():
        record_read(request, Read.COMPLIANCE_QUALIFICATIONS)
        return render(
            request,
            "compliance/qualifications.html",
            {"teachers": _teachers(school), "may_edit": scope.may_edit(request.user)},
        )


@edit_view
@require_http_methods(["GET", "POST"])
def qualification_edit(request, pk):
    school = scope.editable_school_for(request.user)
    teacher_ids = {row["person"].pk for row in _teachers(school)}
    if pk not in teacher_ids:
        raise Http404
    person = User.objects.get(pk=pk)
    form = QualificationForm(request.POST or None, instance=Qualification.objects.filter(person=person).first())
    if request.method == "POST" and form.is_valid():
        services.save_qualification(form, person=person, by=request.user, address=client_address(request))
        messages.success(request, _("The qualification is saved."))
        return redirect("compliance:qualifications")
    return render(request, "compliance/qualification_form.html", {"form": form, "person": person})


@board_view
@require_GET
def facilities(request):
    school = scope.school_for(request.user)
    rooms = Room.objects.filter(school=school).order_by("name")
    by_kind = [
        (label, [room for room in rooms if room.kind == kind and room.active]) for _code, label, kind in bd.ROOM_KINDS
    ]
    counted_kinds = {kind for *_rest, kind in bd.ROOM_KINDS}
    colleges = College.objects.filter(school=school).select_related("station")
    documents = {
        (document["station__college_id"], document["kind"]): document
        for document in StationDocument.objects.filter(station__college__school=school).values(
            "station__college_id", "kind", "file_name", "size", "uploaded_at"
        )
    }
    stations = [
        {
            "college": college,
            "station": getattr(college, "station", None),
            "documents": [
                (kind, label, documents.get((college.pk, kind))) for kind, label in StationDocument.Kind.choices
            ],
        }
        for college in colleges
    ]
    for row in stations:
        row["complete"] = row["station"] is not None and all(document for *_rest, document in row["documents"])
    return render(
        request,
        "compliance/facilities.html",
        {
            "by_kind": by_kind,
            "other_rooms": [room for room in rooms if room.kind not in counted_kinds or not room.active],
            "stations": stations,
            "may_edit": scope.may_edit(request.user),
        },
    )


@edit_view
@require_http_methods(["GET", "POST"])
def room_edit(request, pk=None):
    school = scope.editable_school_for(request.user)
    room = get_object_or_404(Room, pk=pk, school=school) if pk is not None else None
    form = RoomForm(request.POST or None, instance=room, school=school)
    form.fields["name"].label = _("Room name")
    if request.method == "POST" and form.is_valid():
        services.save_room(form, by=request.user, address=client_address(request))
        messages.success(request, _("The room is saved."))
        return redirect("compliance:facilities")
    cancel = reverse("compliance:facilities")
    return render(request, "counselling/room_form.html", {"form": form, "room": room, "cancel_url": cancel})


@edit_view
@require_http_methods(["GET", "POST"])
def station_edit(request, college_id):
    college = scope.get_college_for_user(request.user, college_id, edit=True)
    station = getattr(college, "station", None)
    form = StationForm(request.POST or None, request.FILES or None, instance=station)
    if request.method == "POST" and form.is_valid():
        services.save_station(form, college=college, by=request.user, address=client_address(request))
        messages.success(request, _("The counselling station is saved."))
        return redirect("compliance:facilities")
    return render(request, "compliance/station_form.html", {"form": form, "college": college, "station": station})


@board_view
@require_GET
def station_document(request, college_id, kind):
    college = scope.get_college_for_user(request.user, college_id)
    document = get_object_or_404(StationDocument, station__college=college, kind=kind)
    with transaction.atomic():
        record_read(request, Read.COMPLIANCE_STATION_DOCUMENT, detail={"college": college.name, "kind": kind})
    return _download(bytes(document.content), document.content_type, document.file_name)
