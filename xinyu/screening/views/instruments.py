"""Instruments for the psychology centre: import one (a draft), review its safety net, activate it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinyu.common.access import requires
from xinyu.org.access_log import client_address
from xinyu.screening import scope
from xinyu.screening.activation import ActivationRefused, activate_instrument, safety_net
from xinyu.screening.definition import DefinitionError, check_size
from xinyu.screening.forms import InstrumentActivateForm, InstrumentImportForm
from xinyu.screening.labels import severity_label
from xinyu.screening.models import Instrument
from xinyu.screening.services import read_definition_upload, store_definition

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


def _list(request, form, status=200):
    rows = [(instrument, state_of(instrument)) for instrument in Instrument.objects.order_by("code", "version")]
    return render(request, "screening/instrument_list.html", {"rows": rows, "form": form}, status=status)


@requires(scope.may_manage_instruments, "instruments")
def instrument_list(request):
    return _list(request, InstrumentImportForm())


@requires(scope.may_manage_instruments, "instruments")
@require_POST
def instrument_import(request):
    """Store an uploaded definition as a draft; every problem is named (file, element, item)."""
    form = InstrumentImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size, upload.name)
            definition, source = read_definition_upload(upload.read(), upload.name)
            loaded = store_definition(definition, source=source, by=request.user, address=client_address(request))
        except DefinitionError as refused:
            form.add_error("file", str(refused))
        else:
            if loaded.outcome == "created":
                messages.success(request, _("Imported as a draft. Check it below before activating it."))
            else:
                messages.info(request, _("This version was already there; nothing was changed."))
            return redirect("screening:instrument_detail", loaded.instrument.pk)
    return _list(request, form, status=400)


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


def _detail(request, instrument, form, status=200):
    definition = instrument.parsed()
    net = safety_net(definition)
    bands = [
        {"band": band, "severity": severity_label(band.severity)}
        for band in (definition.bands.ranges if definition.bands else ())
    ]
    context = {
        "instrument": instrument,
        "state": state_of(instrument),
        "definition": definition,
        "net": net,
        "bands": bands,
        "band_score": definition.score(definition.bands.score).name if definition.bands else "",
        "classification": [
            {"rule": rule, "severity": severity_label(rule.severity)} for rule in definition.classification
        ],
        "items": _items(definition, net),
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
