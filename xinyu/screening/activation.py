"""An instrument's safety net, shown and checked when the psychology centre activates it.

A version loaded from a file or a FHIR Questionnaire is a draft: it is not offered for campaigns and a
campaign refuses it. Activating it is the centre's decision, taken on a page that shows what the instrument
does with answers: its bands, its flags and the items that raise a red flag (a crisis concern report at
once, DESIGN.md §5).

The instrument is compared with the one shipped with Xinyu that it matches: the same LOINC panel code
(PHQ-9 is 44249-1) or the same code written with or without punctuation ("PHQ9" is PHQ-9). Whatever that
one has and this one lacks — bands, red flags, other flags, a classification — is listed, and so is an item
whose LOINC code is a red-flag item in a shipped instrument (PHQ-9's item 9, 44260-8) without a red flag
here. An instrument that lacks any of these is refused unless the person activating confirms it
explicitly; the access log records the confirmation with what was missing.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record
from xinyu.screening.definition import Definition, DefinitionError, FlagRule, shipped_definitions
from xinyu.screening.models import Instrument


class ActivationRefused(DefinitionError):
    """The instrument lacks the safety net of the shipped instrument it matches, and that was not confirmed."""


def red_flag_items(flag: FlagRule) -> tuple[int, ...]:
    """The item numbers a flag is about: its own item, or the items its condition reads."""
    if flag.item is not None:
        return (flag.item,)
    return tuple(flag.when.items) if isinstance(flag.when.items, tuple) else ()


@dataclass(frozen=True)
class SafetyNet:
    """What an instrument does with answers, and what it lacks compared with the shipped one it matches."""

    definition: Definition
    shipped: Definition | None
    matched_by: str
    missing: tuple[str, ...]

    @property
    def red_flags(self) -> tuple[FlagRule, ...]:
        return tuple(flag for flag in self.definition.flags if flag.red_flag)

    @property
    def other_flags(self) -> tuple[FlagRule, ...]:
        return tuple(flag for flag in self.definition.flags if not flag.red_flag)

    @property
    def red_flag_items(self) -> tuple[int, ...]:
        return tuple(sorted({n for flag in self.red_flags for n in red_flag_items(flag)}))

    @property
    def without_chinese(self) -> tuple[int, ...]:
        """Items with English text only: a student reading Chinese is shown the English."""
        return tuple(item.number for item in self.definition.items if item.text.en and not item.text.zh)


def _normal(code: str) -> str:
    return re.sub(r"[^0-9a-z]", "", code.lower())


def shipped_counterpart(definition: Definition) -> tuple[Definition | None, str]:
    """The shipped instrument `definition` stands for, and how it was matched."""
    shipped = shipped_definitions()
    if definition.loinc:
        for candidate in shipped:
            if candidate.loinc == definition.loinc:
                return candidate, f"LOINC {definition.loinc}"
    for candidate in shipped:
        if _normal(candidate.code) == _normal(definition.code):
            return candidate, f"代码 {candidate.code}"
    return None, ""


def _labels(flags) -> str:
    return "；".join(str(flag.label) for flag in flags)


def safety_net(definition: Definition) -> SafetyNet:
    shipped, matched_by = shipped_counterpart(definition)
    missing = []
    if shipped is not None:
        name = f"随附的 {shipped.code}"
        if shipped.bands and not definition.bands:
            ranges = "、".join(str(band.label) for band in shipped.bands.ranges)
            missing.append(f"没有分段（{name} 分为：{ranges}）")
        shipped_red = [flag for flag in shipped.flags if flag.red_flag]
        if shipped_red and not any(flag.red_flag for flag in definition.flags):
            missing.append(f"没有红色警示（{name}：{_labels(shipped_red)}）")
        shipped_other = [flag for flag in shipped.flags if not flag.red_flag]
        if shipped_other and not any(not flag.red_flag for flag in definition.flags):
            missing.append(f"没有标记（{name}：{_labels(shipped_other)}）")
        if shipped.classification and not definition.classification:
            classes = "、".join(str(rule.label) for rule in shipped.classification)
            missing.append(f"没有分类（{name} 分为：{classes}）")
    flagged_here = {n for flag in definition.flags if flag.red_flag for n in red_flag_items(flag)}
    for candidate in shipped_definitions():
        for flag in candidate.flags:
            if not flag.red_flag:
                continue
            for number in red_flag_items(flag):
                loinc = candidate.item(number).loinc
                for item in definition.items:
                    if loinc and item.loinc == loinc and item.number not in flagged_here:
                        missing.append(
                            f"第 {item.number} 题（LOINC {loinc}）在随附的 {candidate.code} 中是红色警示题"
                            f"（{flag.label}），这里却没有红色警示"
                        )
    return SafetyNet(definition, shipped, matched_by, tuple(dict.fromkeys(missing)))


def make_active(instrument: Instrument, *, by=None) -> Instrument | None:
    """Offer `instrument` for new campaigns in place of the code's active version (returned); no checks."""
    previous = Instrument.objects.filter(code=instrument.code, is_active=True).exclude(pk=instrument.pk).first()
    if previous is not None:
        Instrument.objects.filter(pk=previous.pk).update(is_active=False)
    fields = ["is_active"]
    instrument.is_active = True
    if instrument.activated_at is None:
        instrument.activated_at = timezone.now()
        instrument.activated_by = by if getattr(by, "pk", None) else None
        fields += ["activated_at", "activated_by"]
    instrument.save(update_fields=fields)
    return previous


@transaction.atomic
def activate_instrument(
    instrument: Instrument, *, by=None, confirm_missing: bool = False, address: str | None = None
) -> SafetyNet:
    """Make a version the one offered for new campaigns, after the safety-net check (see the module)."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    net = safety_net(instrument.parsed())
    if instrument.is_active:
        return net
    if net.missing and not confirm_missing:
        raise ActivationRefused(
            f"{instrument.key} 不能启用：" + "；".join(net.missing) + "。如确实要这样启用，请明确确认"
        )
    previous = make_active(instrument, by=by)
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "screening.instrument_activation",
            detail={
                "instrument": instrument.key,
                "source": instrument.source,
                "replaces": previous.key if previous else None,
                "bands": bool(net.definition.bands),
                "red_flag_items": list(net.red_flag_items),
                "missing_safety_net": list(net.missing),
                "confirmed_without_safety_net": bool(net.missing),
            },
            reason="确认在缺少安全网的情况下启用：" + "；".join(net.missing) if net.missing else "",
        ),
        address=address,
    )
    return net
