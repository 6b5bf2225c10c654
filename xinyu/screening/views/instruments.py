"""Instruments for the psychology centre: their versions and the campaigns using them; import a file (a
preview first, then a draft); review its safety net; try it as a student would; activate it."""

from django.contrib import messages
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from xinyu.common.access import requires
from xinyu.org.access_log import client_address
from xinyu.policy.loader import policy_in_force
from xinyu.screening import scope
from xinyu.screening.activation import ActivationRefused, activate_instrument, safety_net
from xinyu.screening.definition import DefinitionError, check_size
from xinyu.screening.forms import InstrumentActivateForm, InstrumentImportForm
from xinyu.screening.labels import severity_label
from xinyu.screening.models import CampaignInstrument, Instrument
from xinyu.screening.scoring import score
from xinyu.screening.services import read_definition_upload, store_definition
from xinyu.screening.views.questionnaire import _shown as shown_text

ROLES = {
    "scored": gettext_lazy("scored"),
    "key": gettext_lazy("scored, named in rules"),
    "lie": gettext_lazy("lie item, not scored"),
    "auxiliary": gettext_lazy("counted only"),
    "open": gettext_lazy("free text"),
    "difficulty": gettext_lazy("asked, not scored"),
}


def state_of(instrument) -> str:
    if instrument.is_active:
        return _("In use")
    return _("Draft") if instrument.is_draft else _("Earlier version")


def _groups(instruments) -> list[dict]:
    """The versions of each instrument together (its code), the one in use first named, each version with
    the campaigns that use it."""
    uses: dict[int, list] = {}
    for link in CampaignInstrument.objects.select_related("campaign").order_by("-campaign__opens_at", "pk"):
        uses.setdefault(link.instrument_id, []).append(link.campaign)
    groups: dict[str, dict] = {}
    for instrument in instruments:
        group = groups.setdefault(instrument.code, {"code": instrument.code, "active": None, "versions": []})
        if instrument.is_active:
            group["active"] = instrument
        group["versions"].append(
            {"instrument": instrument, "state": state_of(instrument), "campaigns": uses.get(instrument.pk, [])}
        )
    for group in groups.values():
        group["name"] = (group["active"] or group["versions"][-1]["instrument"]).name
    return list(groups.values())


def _list(request, form, status=200, refused: str = ""):
    groups = _groups(Instrument.objects.order_by("code", "version"))
    context = {"groups": groups, "form": form, "refused": refused}
    return render(request, "screening/instrument_list.html", context, status=status)


@requires(scope.may_manage_instruments, "instruments")
def instrument_list(request):
    return _list(request, InstrumentImportForm())


PREVIEW_SALT = "xinyu.screening.instrument-preview"
PREVIEW_MAX_AGE = 3600  # seconds: a preview is confirmed within the hour or uploaded again


def _sealed(data: bytes, name: str, user) -> str:
    """The uploaded file carried from the preview to the confirmation, signed (for this user) and compressed:
    what is saved is exactly what was previewed, and nothing is stored before the centre confirms."""
    payload = {"name": name, "data": data.decode("latin-1")}
    return signing.dumps(payload, salt=f"{PREVIEW_SALT}:{user.pk}", compress=True)


def _unsealed(token: str, user) -> tuple[bytes, str]:
    payload = signing.loads(token, salt=f"{PREVIEW_SALT}:{user.pk}", max_age=PREVIEW_MAX_AGE)
    return payload["data"].encode("latin-1"), payload["name"]


@requires(scope.may_manage_instruments, "instruments")
@require_POST
def instrument_import(request):
    """Read an uploaded definition and show it as the student and the centre would read it; nothing is saved
    until the centre confirms. Every problem is named (file, element, item), in Chinese."""
    form = InstrumentImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size, upload.name)
            data = upload.read()
            definition, _source = read_definition_upload(data, upload.name)
        except DefinitionError as refused:
            form.add_error("file", str(refused))
        else:
            existing = Instrument.objects.filter(code=definition.code, version=definition.version).first()
            context = _definition_context(definition) | {
                "file_name": upload.name,
                "sealed": _sealed(data, upload.name, request.user),
                "existing": existing,
                "active": Instrument.objects.filter(code=definition.code, is_active=True).first(),
            }
            return render(request, "screening/instrument_preview.html", context)
    return _list(request, form, status=400)


@requires(scope.may_manage_instruments, "instruments")
@require_POST
def instrument_import_confirm(request):
    """Save the previewed file as a draft (all or nothing); then its page, to check and activate it."""
    form = InstrumentImportForm()
    try:
        data, name = _unsealed(request.POST.get("sealed", ""), request.user)
    except (signing.BadSignature, KeyError, TypeError, UnicodeError):
        refused = _("The preview has expired or was altered. Upload the file again, please.")
        return _list(request, form, status=400, refused=refused)
    try:
        check_size(len(data), name)
        definition, source = read_definition_upload(data, name)
        loaded = store_definition(definition, source=source, by=request.user, address=client_address(request))
    except DefinitionError as refused:
        return _list(request, form, status=400, refused=str(refused))
    if loaded.outcome == "created":
        messages.success(request, _("Saved as a draft. Check it below before activating it."))
    else:
        messages.info(request, _("This version was already there; nothing was changed."))
    return redirect("screening:instrument_detail", loaded.instrument.pk)


def _items(definition, net) -> list[dict]:
    red = set(net.red_flag_items)
    rows = []
    for item in definition.items:
        options = definition.option_set(item.option_set).options if item.option_set else ()
        rows.append(
            {
                "item": item,
                "role": ROLES.get(item.role, item.role),
                "red_flag": item.number in red,
                "options": "；".join(
                    f"{option.label}" + ("" if option.value is None else f" = {option.value:g}") for option in options
                ),
            }
        )
    return rows


def _definition_context(definition) -> dict:
    """What a definition does with answers, in words: items with their options and weights, bands, classes,
    flags, red-flag items and what it lacks compared with the shipped instrument."""
    net = safety_net(definition)
    bands = [
        {"band": band, "severity": severity_label(band.severity)}
        for band in (definition.bands.ranges if definition.bands else ())
    ]
    return {
        "definition": definition,
        "net": net,
        "bands": bands,
        "band_score": definition.score(definition.bands.score).name if definition.bands else "",
        "classification": [
            {"rule": rule, "severity": severity_label(rule.severity)} for rule in definition.classification
        ],
        "items": _items(definition, net),
    }


def _detail(request, instrument, form, status=200):
    context = _definition_context(instrument.parsed()) | {
        "instrument": instrument,
        "state": state_of(instrument),
        "form": form,
        "previous": Instrument.objects.filter(code=instrument.code, is_active=True).exclude(pk=instrument.pk).first(),
    }
    return render(request, "screening/instrument_detail.html", context, status=status)


@requires(scope.may_manage_instruments, "instruments")
def instrument_detail(request, pk):
    """What the instrument does with answers: items, bands, flags, red-flag items, and what it lacks."""
    return _detail(request, get_object_or_404(Instrument, pk=pk), InstrumentActivateForm())


@requires(scope.may_manage_instruments, "instruments")
@require_POST
def instrument_activate(request, pk):
    instrument = get_object_or_404(Instrument, pk=pk)
    form = InstrumentActivateForm(request.POST)
    form.is_valid()
    try:
        activate_instrument(
            instrument,
            by=request.user,
            confirm_missing=form.cleaned_data.get("confirm_missing", False),
            address=client_address(request),
        )
    except ActivationRefused:
        form.add_error(
            "confirm_missing",
            _("Not activated: it lacks what the shipped instrument has. Tick the box to activate it all the same."),
        )
        return _detail(request, instrument, form, status=400)
    messages.success(request, _("Activated: new campaigns can use this version now."))
    return redirect("screening:instrument_detail", instrument.pk)


def _try_items(definition, answers: dict) -> list[dict]:
    """The questions as the student's questionnaire shows them (their language, their options), with the
    answers given so far."""
    rows = []
    for item in definition.items:
        options = definition.option_set(item.option_set).options if item.option_set else ()
        shown = shown_text(item.text)
        rows.append(
            {
                "number": item.number,
                "text": shown["text"],
                "lang": shown["lang"],
                "fallback": shown["fallback"],
                "required": item.required,
                "name": f"q{item.number}",
                "options": [(option.code, shown_text(option.label)["text"]) for option in options],
                "value": answers.get(item.number, ""),
            }
        )
    return rows


def _outcome(definition, result) -> dict:
    words = translation.get_language() or "zh-hans"
    return {
        "complete": result.complete,
        "total": result.total,
        "scores": [
            (definition.score(code).name.in_language(words)[0], value)
            for code, value in (*result.subscales.items(), *result.indices.items())
            if code != "total"  # shown as the total
        ],
        "band": result.band.label.in_language(words)[0] if result.band else "",
        "classification": result.classification.label.in_language(words)[0] if result.classification else "",
        "severity": severity_label(result.severity) if result.severity else "",
        "flags": [
            {"label": flag.label.in_language(words)[0], "red_flag": flag.red_flag, "item": flag.item}
            for flag in result.flags
        ],
        "errors": [error.message for error in result.errors],
    }


@requires(scope.may_manage_instruments, "instruments")
@require_http_methods(["GET", "POST"])
def instrument_try(request, pk):
    """Fill the questionnaire in the student's layout and see the score, band and flags it would give under
    the policy in force. Nothing is saved: no response, no result, no concern report, no task."""
    instrument = get_object_or_404(Instrument, pk=pk)
    definition = instrument.parsed()
    answers: dict[int, object] = {}
    outcome = None
    if request.method == "POST":
        for item in definition.items:
            value = request.POST.get(f"q{item.number}", "")
            if value != "":
                answers[item.number] = value
        rules = policy_in_force(timezone.localdate()).screening.scoring
        outcome = _outcome(definition, score(definition, answers, rules=rules))
    context = {
        "instrument": instrument,
        "state": state_of(instrument),
        "name": shown_text(definition.name),
        "instructions": shown_text(definition.instructions),
        "items": _try_items(definition, answers),
        "outcome": outcome,
    }
    return render(request, "screening/instrument_try.html", context)
