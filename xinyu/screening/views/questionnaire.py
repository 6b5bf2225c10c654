"""The questionnaire on a phone: entering a sitting, consent, answers saved as you go, submitting.

These pages need no sign-in: the browser session is bound to one Participation by entering a sitting
(code, 学号, ID check) or, for a signed-in student, by opening their own campaign. Without a binding, or
after another device took it over, they answer 404.
"""

import uuid

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import public, student_only
from xinyu.common.params import id_param
from xinyu.org import scope
from xinyu.org.access_log import Read, client_address, read_event, record_read, record_reads
from xinyu.policy.loader import policy_in_force
from xinyu.screening import questionnaire as service
from xinyu.screening.campaigns import help_lines
from xinyu.screening.forms import EntryForm
from xinyu.screening.models import Participation, Result
from xinyu.screening.own_results import own_history, summary_rows
from xinyu.screening.sittings import EntryError, bind_session, bound_participation, enter_sitting


def _bound(request, related=("campaign", "student")) -> Participation:
    participation = bound_participation(request.session, Participation.objects.select_related(*related))
    if participation is None:
        raise Http404
    return participation


@public
def enter(request):
    """Entering a sitting with its code, the 学号 and the last six characters of the ID number."""
    form = EntryForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            participation = enter_sitting(
                form.cleaned_data["code"],
                form.cleaned_data["student_number"],
                form.cleaned_data["check"],
                address=client_address(request),
            )
        except EntryError as refused:
            error = str(refused)
        else:
            bind_session(request.session, participation)
            return redirect("screening:answer")
    return render(request, "screening/questionnaire_enter.html", {"form": form, "error": error})


@student_only
def my_campaigns(request):
    """A signed-in student's own campaigns that are open now."""
    student = scope.own_student(request.user)
    participations = (
        Participation.objects.filter(student=student).select_related("campaign").order_by("-campaign__opens_at")
        if student
        else Participation.objects.none()
    )
    rows = [p for p in participations if p.campaign.is_open() or p.status == Participation.Status.SUBMITTED]
    return render(request, "screening/questionnaire_mine.html", {"participations": rows})


@student_only
def my_results(request):
    """A student's own screenings: a supportive summary where the campaign allows it, never raw labels;
    only their own (there is no student in the URL). Reading a summary is audited."""
    student = scope.own_student(request.user)
    with transaction.atomic():
        history = own_history(student)
        shown = [row for row in history if row.shows_summary]
        if shown:
            record_reads(
                request,
                [
                    read_event(
                        Read.OWN_SCREENING_SUMMARY,
                        student=student,
                        tier=scope.Tier.T3,
                        detail={"campaign": row.campaign.pk},
                    )
                    for row in shown
                ],
            )
    return render(
        request,
        "screening/my_results.html",
        {
            "history": history,
            "red_flag": any(row.red_flag for row in history),
            "help_lines": help_lines(),
        },
    )


@student_only
@require_POST
def start_mine(request, pk):
    """A signed-in student answers their own campaign directly (binding this session to it)."""
    student = scope.own_student(request.user)
    participation = get_object_or_404(Participation, pk=pk, student=student)
    bind_session(request.session, participation)
    return redirect("screening:answer")


def _shown(text) -> dict:
    """A text in the language the reader reads (English for an English reader when there is English,
    otherwise Chinese); `fallback` when only the other language was there, `lang` then names it."""
    reads_english = (translation.get_language() or "").lower().startswith("en")
    value, language = text.in_language("en" if reads_english else "zh-hans")
    fallback = bool(value) and (language == "en") != reads_english
    return {"text": value, "lang": language if fallback else "", "fallback": fallback}


def _item(page, item) -> dict:
    definition = page.definition
    options = definition.option_set(item.option_set).options if item.option_set else ()
    shown = _shown(item.text)
    return {
        "number": item.number,
        "text": shown["text"],
        "lang": shown["lang"],
        "fallback": shown["fallback"],
        "required": item.required,
        "name": _answer_name(page.response.instrument_id, item.number),
        "options": [(option.code, _shown(option.label)["text"]) for option in options],
        "value": (page.response.answers or {}).get(str(item.number), ""),
        # a section heading (a FHIR group's text) and a note (a FHIR display item) shown before the question
        "heading": _shown(item.heading) if item.heading else None,
        "note": _shown(item.note) if item.note else None,
    }


def _headings(page) -> dict:
    return {"name": _shown(page.definition.name), "instructions": _shown(page.definition.instructions)}


def _items(page) -> list[dict]:
    return [_item(page, item) for item in page.definition.items]


# --- One question per screen (the campaign's setting, or the student's choice for this session) ---

VIEW_KEY = "xinyu_screening_view"
ONE, ALL = "one", "all"


def _one_per_screen(request, participation) -> bool:
    chosen = request.GET.get("view")
    if chosen in (ONE, ALL):
        request.session[VIEW_KEY] = chosen
    chosen = request.session.get(VIEW_KEY)
    if chosen in (ONE, ALL):
        return chosen == ONE
    return participation.campaign.one_item_per_screen


def _one_context(participation, position=None, **extra):
    """The context of one screen: a question (1…total) or, one past the last, the page to submit."""
    pages = service.pages(participation)
    flat = service.screens(pages)
    total = len(flat)
    if position is None:
        position = service.resume_screen(pages)
    position = max(1, min(int(position), total + 1))
    answered = sum(page.answered for page in pages)
    current = None
    if position <= total:
        page, item = flat[position - 1]
        current = {
            "instrument_id": page.response.instrument_id,
            "definition": page.definition,
            "item": _item(page, item),
            "first_of_instrument": item.number == page.definition.items[0].number,
        } | _headings(page)
    unanswered = [
        {"position": number, "instrument": _shown(page.definition.name)["text"], "number": item.number}
        for number, (page, item) in enumerate(flat, start=1)
        if item.required and str(item.number) not in (page.response.answers or {})
    ]
    context = {
        "participation": participation,
        "campaign": participation.campaign,
        "position": position,
        "total": total,
        "answered": answered,
        "percent": int(100 * answered / total) if total else 0,
        "current": current,
        "unanswered": unanswered,
        "previous": position - 1 if position > 1 else None,
        "submission_key": uuid.uuid4().hex,
    }
    context.update(extra)
    return context


def _render_one(request, context, status=200):
    # htmx swaps only 2xx answers: a refused step comes back as 200 to an htmx request, 400 otherwise.
    if status != 200 and request.headers.get("HX-Request"):
        status = 200
    response = render(request, "screening/questionnaire_one.html", context, status=status)
    if request.headers.get("HX-Request") and status == 200:
        response["HX-Push-Url"] = reverse("screening:answer") + f"?q={context['position']}"
    return response


@public
@require_POST
def step(request):
    """One question per screen: save the answer on this screen, then go on (a required question must be
    answered first) or back. Works as a plain form without JavaScript; with htmx only the screen swaps."""
    participation = _bound(request)
    if participation.status != Participation.Status.IN_PROGRESS or not participation.campaign.is_open():
        return redirect("screening:answer")
    position = id_param(request.POST.get("q"))
    instrument_id, number = id_param(request.POST.get("instrument")), id_param(request.POST.get("item"))
    if position is None or instrument_id is None or number is None:
        raise Http404
    name = _answer_name(instrument_id, number)
    try:
        if request.POST.get(name, "").strip():
            service.save_answer(participation, instrument_id, number, request.POST[name])
    except service.QuestionnaireError as refused:
        return _render_one(request, _one_context(participation, position, error=str(refused)), status=400)
    if request.POST.get("direction") == "back":
        target = max(1, position - 1)
    else:
        context = _one_context(participation, position)
        current = context["current"]
        if current and current["item"]["required"] and not current["item"]["value"]:
            context["error"] = _("Please answer this question before going on.")
            return _render_one(request, context, status=400)
        target = position + 1
    if request.headers.get("HX-Request"):
        return _render_one(request, _one_context(participation, target))
    return redirect(reverse("screening:answer") + f"?q={target}")


def _page_context(participation, **extra):
    pages = service.pages(participation)
    sections = [
        {"page": page, "instrument_id": page.response.instrument_id, "items": _items(page)} | _headings(page)
        for page in pages
    ]
    answered = sum(page.answered for page in pages)
    total = sum(page.total for page in pages)
    context = {
        "participation": participation,
        "campaign": participation.campaign,
        "sections": sections,
        "answered": answered,
        "total": total,
        "percent": int(100 * answered / total) if total else 0,
        "resume": service.resume_position(participation),
        "submission_key": uuid.uuid4().hex,
    }
    context.update(extra)
    return context


@public
def answer(request):
    """The questionnaire as far as the student got: consent, the items, or the page after submitting."""
    participation = _bound(request)
    status = participation.status
    if status == Participation.Status.SUBMITTED:
        return redirect("screening:done")
    if status == Participation.Status.DECLINED:
        return render(request, "screening/questionnaire_declined.html", {"campaign": participation.campaign})
    if not participation.campaign.is_open():
        return render(request, "screening/questionnaire_closed.html", {"campaign": participation.campaign})
    if status == Participation.Status.PENDING:
        return render(request, "screening/questionnaire_consent.html", {"campaign": participation.campaign})
    if _one_per_screen(request, participation):
        position = id_param(request.GET.get("q"))
        return _render_one(request, _one_context(participation, position))
    return render(request, "screening/questionnaire.html", _page_context(participation))


@public
@require_POST
def consent(request):
    participation = _bound(request)
    try:
        service.record_consent(
            participation,
            agreed=request.POST.get("agree") == "yes",
            consent_version=request.POST.get("consent_version", ""),
        )
    except service.QuestionnaireError as refused:
        return render(
            request,
            "screening/questionnaire_consent.html",
            {"campaign": participation.campaign, "error": str(refused)},
            status=400,
        )
    return redirect("screening:answer")


def _answer_name(instrument_id, number) -> str:
    return f"a-{instrument_id}-{number}"


@public
@require_POST
def save(request):
    """Save one answer (htmx, on each change); answers with the progress bar."""
    participation = _bound(request)
    instrument_id, number = id_param(request.POST.get("instrument")), id_param(request.POST.get("item"))
    if instrument_id is None or number is None:
        raise Http404
    value = request.POST.get(_answer_name(instrument_id, number), request.POST.get("value", ""))
    try:
        service.save_answer(participation, instrument_id, number, value)
    except service.QuestionnaireError as refused:
        return render(request, "screening/questionnaire_saved.html", {"error": str(refused)}, status=400)
    context = _page_context(participation)
    return render(request, "screening/questionnaire.html#progress", context)


def _save_carried_answers(request, participation) -> None:
    """Answers a form posted with the submission (without htmx nothing was saved as you went)."""
    if participation.status != Participation.Status.IN_PROGRESS:
        return
    if not any(name.startswith("a-") for name in request.POST):
        return
    with transaction.atomic():
        for page in service.pages(participation):
            for item in page.definition.items:
                name = _answer_name(page.response.instrument_id, item.number)
                if name in request.POST:
                    service.save_answer(participation, page.response.instrument_id, item.number, request.POST[name])


@public
@require_POST
def submit(request):
    """Save whatever the form carries (so it works without htmx too), then submit once."""
    participation = _bound(request, related=("campaign",))  # the service reads the student under its lock
    try:
        _save_carried_answers(request, participation)
        service.submit(
            participation,
            request.POST.get("submission_key", ""),
            actor=request.user if request.user.is_authenticated else None,
            address=client_address(request),
        )
    except service.MissingAnswers as missing:
        if _one_per_screen(request, participation):
            first = _one_context(participation)["unanswered"]
            position = first[0]["position"] if first else None
            return _render_one(request, _one_context(participation, position, error=str(missing)), status=400)
        context = _page_context(participation, missing=missing.missing, error=str(missing))
        return render(request, "screening/questionnaire.html", context, status=400)
    except service.QuestionnaireError as refused:
        if _one_per_screen(request, participation):
            return _render_one(request, _one_context(participation, None, error=str(refused)), status=400)
        context = _page_context(participation, error=str(refused))
        return render(request, "screening/questionnaire.html", context, status=400)
    return redirect("screening:done")


@public
def done(request):
    """After submitting: support and resources; immediate help first when any answer raised a red flag."""
    participation = _bound(request)
    if participation.status != Participation.Status.SUBMITTED:
        return redirect("screening:answer")
    results = list(Result.objects.filter(response__participation=participation).select_related("instrument"))
    summary = []
    if participation.campaign.show_summary_to_student:
        with transaction.atomic():
            record_read(
                request,
                Read.OWN_SCREENING_SUMMARY,
                student=participation.student,
                tier=scope.Tier.T3,
                detail={"campaign": participation.campaign_id},
            )
        summary = summary_rows(results)
    return render(
        request,
        "screening/questionnaire_done.html",
        {
            "campaign": participation.campaign,
            "red_flag": service.has_red_flag(results),
            "summary": summary,
            "resources": help_lines(participation.campaign),
            "centre": policy_in_force(timezone.localdate()).centre,
            "heading": _("Thank you for answering"),
        },
    )
