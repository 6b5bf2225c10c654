"""Loading instruments into the database: the shipped ones, a college's own, and licensed item texts."""

from dataclasses import dataclass, replace
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record
from xinyu.screening.activation import make_active
from xinyu.screening.definition import (
    Definition,
    DefinitionError,
    Text,
    definition_digest,
    definition_to_json,
    parse_definition,
    parse_json,
    read_json_file,
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
        if self.instrument.is_active:
            state = "（当前使用）"
        elif self.instrument.is_draft:
            state = "（草稿：须由心理中心核对后启用）"
        else:
            state = ""
        return f"{self.instrument.code}@{self.instrument.version}：{words[self.outcome]}{state}"


@transaction.atomic
def store_definition(definition: Definition, *, source: str, by=None, address: str | None = None) -> Loaded:
    """Store a definition; idempotent for the same document. A different document under an existing code
    and version is refused (results name the version they were scored with): give it a new version.
    A shipped version becomes the active one when none is active yet; any other is stored as a draft, to
    be activated by the centre (activation.py), and its import is written to the access log."""
    digest = definition_digest(definition)
    existing = Instrument.objects.select_for_update().filter(code=definition.code, version=definition.version).first()
    if existing is not None:
        if existing.digest != digest and not _same_but_texts(existing, definition):
            raise DefinitionError(
                f"{definition.key}: 已有同一版本但内容不同的定义；已计分的结果依赖该版本，"
                "请为修改后的定义使用新的版本号"
            )
        return Loaded(existing, "unchanged")
    instrument = Instrument.objects.create(
        code=definition.code,
        version=definition.version,
        name=str(definition.name),
        definition=definition_to_json(definition),
        digest=digest,
        source=source,
    )
    if source == Instrument.Source.SHIPPED:
        if not Instrument.objects.filter(code=definition.code, is_active=True).exists():
            make_active(instrument)
    else:
        record(
            by,
            Event(
                AuditEntry.Action.IMPORT,
                "screening.instrument",
                detail={"instrument": instrument.key, "source": source, "draft": True},
            ),
            address=address,
        )
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


def read_definition_file(path: Path) -> tuple[Definition, str]:
    """A definition from a file in Xinyu's JSON format or a FHIR R4 Questionnaire (JSON), with its
    Instrument.Source; errors name the file."""
    return _definition_from(read_json_file(path), Path(path).name)


def read_definition_upload(data: bytes, name: str) -> tuple[Definition, str]:
    """The same for an uploaded file's content."""
    return _definition_from(parse_json(data, name), name)


def _definition_from(raw, name: str) -> tuple[Definition, str]:
    try:
        if isinstance(raw, dict) and "resourceType" in raw:  # FHIR, and says what resource it should be
            return questionnaire_to_definition(raw), Instrument.Source.FHIR
        return parse_definition(raw), Instrument.Source.FILE
    except DefinitionError as exc:
        raise DefinitionError(f"{name}: {exc}") from exc
