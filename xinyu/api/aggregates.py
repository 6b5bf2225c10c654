"""aggregates.read: what 学工部 and the leading group read across colleges — the month × college grid and
the school's month summary (small cells suppressed for the leading group) — and the colleges' monthly
report figures as sent. Computed by `xinyu.reports` exactly as for the pages; counts only, never names."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from xinyu.api import schemas
from xinyu.api.base import ApiView, atomic_read
from xinyu.api.errors import ApiError
from xinyu.api.models import Operation
from xinyu.common.params import FIRST_YEAR, LAST_YEAR
from xinyu.org.access_log import Read
from xinyu.org.models import College
from xinyu.reports import figures, monthly, overview
from xinyu.reports import scope as report_scope
from xinyu.reports.word import figures_of

ERRORS = {400: schemas.Error, 401: schemas.Error, 403: schemas.Error}
# A month with a "/" in it leads to no endpoint: the API's 404.
MONTH_ERRORS = {**ERRORS, 404: schemas.Error}
TAGS = ["aggregates.read"]
MONTH = OpenApiParameter("month", OpenApiTypes.STR, OpenApiParameter.PATH, description="YYYY-MM")


def _month(text: str) -> dt.date:
    try:
        month = figures.parse_month(text)
    except (ValueError, TypeError):
        month = None
    if month is None or not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ApiError(_("Write the month as YYYY-MM, e.g. 2026-03."), code="invalid_month")
    return month


def _college(college) -> dict:
    return {"code": college.code, "name": college.name}


def _figures(values: dict) -> list[dict]:
    return [
        {"key": ".".join(path), "label": str(label), "value": figures.figure(values, path)}
        for label, path in figures.figure_rows()
    ]


def _overseen(user):
    schools = report_scope.schools_to_oversee_for(user)
    if not schools:
        raise PermissionDenied(_("The token's owner holds no post that reads every college's figures."))
    return College.objects.filter(school_id__in=schools)


class GridView(ApiView):
    operation = Operation.AGGREGATES_READ

    @extend_schema(
        operation_id="monthly_grid",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="default: this year")],
        responses={200: schemas.Grid, **ERRORS},
        tags=TAGS,
    )
    @atomic_read
    def get(self, request):
        """The month × college grid of a year: each college's report sent, late, missing, returned …"""
        colleges = _overseen(request.user)
        today = timezone.localdate()
        text = request.query_params.get("year")
        year = today.year
        if text is not None:
            year = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else 0
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise ApiError(
                    _("The year must be between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                    code="invalid_year",
                )
        rows = overview.grid(colleges, year, today)
        self.log_reads(Read.MONTHLY_GRID, year=year)
        return Response({
            "year": year,
            "colleges": [
                {"college": _college(row.college),
                 "months": [{"month": f"{cell.month:%Y-%m}", "state": cell.state, "state_name": cell.label}
                            for cell in row.cells]}
                for row in rows
            ],
        })  # fmt: skip


class MonthSummaryView(ApiView):
    operation = Operation.AGGREGATES_READ

    @extend_schema(
        operation_id="month_summary",
        parameters=[MONTH],
        responses={200: schemas.MonthSummary, **MONTH_ERRORS},
        tags=TAGS,
    )
    @atomic_read
    def get(self, request, month):
        """The school's month, summed from the colleges' sent reports; for the leading group small cells are
        suppressed (null)."""
        colleges = _overseen(request.user)
        month = _month(month)
        summary = overview.month_summary(colleges, month, suppress=report_scope.is_leading_group_only(request.user))
        self.log_reads(Read.MONTH_SUMMARY, month=f"{month:%Y-%m}")
        return Response({
            "month": f"{month:%Y-%m}",
            "suppressed": summary.suppressed,
            "colleges_counted": summary.counted,
            "figures": [{"key": ".".join(row.path), "label": str(row.label), "value": row.value}
                        for row in summary.rows],
            "colleges": [{"college": _college(college), "state": cell.state, "state_name": cell.label}
                         for college, cell in summary.colleges],
        })  # fmt: skip


class MonthlyReportsView(ApiView):
    operation = Operation.AGGREGATES_READ

    @extend_schema(
        operation_id="monthly_reports",
        parameters=[MONTH],
        responses={200: schemas.MonthlyReports, **MONTH_ERRORS},
        tags=TAGS,
    )
    @atomic_read
    def get(self, request, month):
        """Each college's monthly report for the month, with its figures once sent (as frozen then), for the
        colleges whose reports the token's owner may read."""
        if not report_scope.may_see_monthly_reports(request.user):
            raise PermissionDenied(_("The token's owner holds no post that reads monthly reports."))
        month = _month(month)
        today = timezone.localdate()
        reports = []
        for college in report_scope.colleges_to_read_for(request.user).order_by("code"):
            report = monthly.current_report(college, month)
            cell = overview.Cell(month, overview.state_of(report, month, today), report)
            sent = report is not None and report.sent_at is not None
            reports.append({
                "college": _college(college),
                "month": f"{month:%Y-%m}",
                "state": cell.state,
                "state_name": cell.label,
                "version": report.version if report else None,
                "figures": _figures(figures_of(report)) if sent else [],
            })  # fmt: skip
        self.log_reads(Read.MONTHLY_REPORT, month=f"{month:%Y-%m}", colleges=[r["college"]["code"] for r in reports])
        return Response({"month": f"{month:%Y-%m}", "reports": reports})
