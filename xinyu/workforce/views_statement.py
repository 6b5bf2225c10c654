"""The workload statement page and its Excel export: per term, the hours and 课时 of each kind of work.
The centre's supervisors and 学工部 see everyone; other staff see themselves. No student is named; opening
and exporting are recorded in the access log."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from xinyu.accounts.stepup import step_up_required
from xinyu.audit.models import AuditEntry
from xinyu.audit.reads import Read
from xinyu.common.access import requires
from xinyu.org.access_log import Event, record_read, record_request
from xinyu.policy.terms import Term, parse_term_code, term_of
from xinyu.policy.workforce import WORK_KINDS
from xinyu.roster import export
from xinyu.workforce import scope
from xinyu.workforce import statement as st

statement_view = requires(scope.may_view_statement, "workload_statement")


def _term(request) -> Term:
    try:
        return parse_term_code(request.GET.get("term", ""))
    except ValueError:
        return term_of()


def _rows(user, term: Term):
    if scope.may_view_everyones_statement(user):
        return st.statement(term.start, term.end), True
    return st.statement(term.start, term.end, only_user=user), False


@statement_view
def statement(request):
    term = _term(request)
    rows, everyone = _rows(request.user, term)
    with transaction.atomic():
        record_read(request, Read.WORKLOAD_STATEMENT, detail={"term": term.code, "all": everyone})
        return render(
            request,
            "workforce/statement.html",
            {
                "term": term,
                "rows": rows,
                "total": st.totals(rows) if everyone else None,
                "everyone": everyone,
                "kinds": [st.KIND_LABELS[kind] for kind in WORK_KINDS],
                "rules": st.policy_in_force(term.start).workforce,
            },
        )


@statement_view
@step_up_required
def statement_export(request):
    term = _term(request)
    rows, everyone = _rows(request.user, term)
    with transaction.atomic():
        content, count = st.to_xlsx(f"工作量 {term.code}", rows)
        record_request(
            request,
            Event(AuditEntry.Action.EXPORT, Read.WORKLOAD_STATEMENT.value, detail={"term": term.code, "all": everyone}),
        )
    response = HttpResponse(content, content_type=export.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"workload-{term.code}.xlsx")
    response["X-Row-Count"] = str(count)
    return response
