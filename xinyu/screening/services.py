"""Loading instruments into the database: the shipped ones, a college's own, and licensed item texts."""

import json
from dataclasses import dataclass, replace
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from xinyu.screening.definition import (
    Definition,
    DefinitionError,
    Text,
    definition_digest,
    definition_to_json,
    parse_definition,
    shipped_definitions,
)
from xinyu.screening.fhir import questionnaire_to_definition
from xinyu.screening.item_texts import read_item_texts, with_item_texts
from xinyu.screening.models import Instrument


@dataclass(frozen=True)
class Loaded:
    instrument: Instrument
    outcome: str  # created | unchanged

    def describe(self) -> str:
        words = {"created": "已载入", "unchanged": "无变化"}
        state = "（当前使用）" if self.instrument.is_active else ""
        return f"{self.instrument.code}@{self.instrument.version}：{words[self.outcome]}{state}"


@transaction.atomic
def store_definition(definition: Definition, *, source: str, activate: bool = False) -> Loaded:
    """Store a definition; idempotent for the same document. A different document under an existing code
    and version is refused (results name the version they were scored with): give it a new version.
    The new version becomes the active one when none is active yet, or when `activate` is asked."""
    digest = definition_digest(definition)
    existing = Instrument.objects.select_for_update().filter(code=definition.code, version=definition.version).first()
    if existing is not None:
        if existing.digest != digest and not _same_but_texts(existing, definition):
            raise DefinitionError(
                f"{definition.key}: 已有同一版本但内容不同的定义；已计分的结果依赖该版本，"
                "请为修改后的定义使用新的版本号"
            )
        if activate and not existing.is_active:
            activate_instrument(existing)
        return Loaded(existing, "unchanged")
    instrument = Instrument.objects.create(
        code=definition.code,
        version=definition.version,
        name=definition.name.zh,
        definition=definition_to_json(definition),
        digest=digest,
        source=source,
    )
    if activate or not Instrument.objects.filter(code=definition.code, is_active=True).exists():
        activate_instrument(instrument)
    return Loaded(instrument, "created")


def _same_but_texts(existing: Instrument, definition: Definition) -> bool:
    """A stored row that differs only by the item texts a college loaded into a shipped placeholder."""
    if existing.parsed().item_texts != "included" or definition.item_texts != "pending":
        return False
    return definition_digest(_without_texts(existing.parsed())) == definition_digest(_without_texts(definition))


def _without_texts(definition: Definition) -> Definition:
    blank = tuple(replace(item, text=Text("")) for item in definition.items)
    return replace(definition, items=blank, item_texts="pending")


def load_shipped_instruments() -> list[Loaded]:
    """PHQ-9, GAD-7, UPI and SCL-90 (scoring only) from instruments/*.json; safe to run again."""
    return [store_definition(definition, source=Instrument.Source.SHIPPED) for definition in shipped_definitions()]


@transaction.atomic
def activate_instrument(instrument: Instrument) -> None:
    Instrument.objects.filter(code=instrument.code, is_active=True).exclude(pk=instrument.pk).update(is_active=False)
    if not instrument.is_active:
        instrument.is_active = True
        instrument.save(update_fields=["is_active"])


def get_instrument(code: str, version: str | None = None) -> Instrument:
    """The named version, or the active one; raises DefinitionError in Chinese when there is none."""
    rows = Instrument.objects.filter(code=code)
    row = rows.filter(version=version).first() if version else rows.filter(is_active=True).first()
    if row is None:
        known = "、".join(sorted({f"{r.code}@{r.version}" for r in Instrument.objects.all()})) or "无"
        wanted = f"{code}@{version}" if version else f"{code} 的当前版本"
        raise DefinitionError(f"找不到量表 {wanted}（已载入：{known}）")
    return row


@transaction.atomic
def load_item_texts(code: str, version: str | None, path: Path, *, replace: bool = False) -> Instrument:
    """Put a college's licensed item texts (e.g. SCL-90's) into the stored definition. Only the texts
    change: the scoring, and so the version and every result's rules_version, stay as they were."""
    instrument = get_instrument(code, version)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    definition = with_item_texts(instrument.parsed(), read_item_texts(path), replace=replace)
    instrument.definition = definition_to_json(definition)
    instrument.digest = definition_digest(definition)
    instrument.loaded_at = timezone.now()
    instrument.save(update_fields=["definition", "digest", "loaded_at"])
    return instrument


_parsed: dict[tuple[int, str], Definition] = {}


def definition_for(instrument: Instrument) -> Definition:
    """The parsed definition of a stored row, kept per process by (row, digest): compiled scorers are
    cached on the definition, so re-scoring many responses compiles each instrument once."""
    key = (instrument.pk, instrument.digest)
    definition = _parsed.get(key)
    if definition is None:
        if len(_parsed) > 256:
            _parsed.clear()
        definition = _parsed[key] = instrument._parse_uncached()
    return definition


def read_definition_file(path: Path) -> tuple[Definition, str]:
    """A definition from a file in Xinyu's JSON format or a FHIR R4 Questionnaire (JSON), with its
    Instrument.Source; errors name the file."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path.name}: 无法读取：{exc}") from exc
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{path.name}: 不是有效的 JSON（第 {exc.lineno} 行）：{exc.msg}") from exc
    try:
        if isinstance(raw, dict) and raw.get("resourceType") == "Questionnaire":
            return questionnaire_to_definition(raw), Instrument.Source.FHIR
        return parse_definition(raw), Instrument.Source.FILE
    except DefinitionError as exc:
        raise DefinitionError(f"{path.name}: {exc}") from exc
