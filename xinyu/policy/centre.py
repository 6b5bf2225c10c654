"""The policy file's [centre] table: the school's psychology centre (阳光心理中心) as students and staff are told
about it — its name, what it offers, its rooms and hours, how to book, its phone and e-mail, the school's
24-hour crisis line and the public hotlines. One place for these facts: the screening help, the concern
report's thank-you page, the crisis cards and the public page all read them from here. Parsed and checked
by `parse_centre`; defaults below.
"""

from dataclasses import dataclass


class CentreRulesError(Exception):
    """A [centre] table that cannot be used; the message says where and what, in Chinese."""


@dataclass(frozen=True)
class Room:
    name: str
    location: str
    hours: str


@dataclass(frozen=True)
class Line:
    """A telephone line: its name, number and when it answers."""

    name: str
    number: str
    hours: str = ""


DEFAULT_HOTLINES = (
    Line("全国心理援助热线", "12356", "24小时"),
    Line("希望24热线", "400-161-9995", "24小时"),
)
DEFAULT_EMERGENCY = (Line("报警", "110", "24小时"), Line("急救", "120", "24小时"))


@dataclass(frozen=True)
class CentreRules:
    name: str = "阳光心理中心"
    summary: str = ""
    offers: tuple[str, ...] = ()
    rooms: tuple[Room, ...] = ()
    booking: str = ""
    phone: str = ""
    phone_hours: str = ""
    email: str = ""
    crisis_line: Line | None = None
    hotlines: tuple[Line, ...] = DEFAULT_HOTLINES
    emergency: tuple[Line, ...] = DEFAULT_EMERGENCY

    @property
    def main_room(self) -> Room | None:
        return self.rooms[0] if self.rooms else None

    def help_lines(self) -> list[str]:
        """The help after a screening or a report, one line each, most local first: the centre (its phone and
        room), the school's 24-hour crisis line, the hotlines, then 110/120."""
        lines = []
        centre = self.name
        if self.phone:
            centre += f"：电话 {self.phone}" + (f"（{self.phone_hours}）" if self.phone_hours else "")
        if self.main_room:
            room = self.main_room
            centre += f"{'，' if self.phone else '：'}{room.location}{room.name}" + (
                f"（{room.hours}）" if room.hours else ""
            )
        lines.append(centre)
        if self.crisis_line:
            line = self.crisis_line
            lines.append(f"{line.name}：{line.number}" + (f"（{line.hours}）" if line.hours else ""))
        for line in self.hotlines:
            lines.append(f"{line.name}：{line.number}" + (f"（{line.hours}）" if line.hours else ""))
        lines.append("遇到紧急危险：" + "，".join(f"{line.name} {line.number}" for line in self.emergency))
        return lines


DEFAULT_CENTRE = CentreRules()

_TEXTS = ("name", "summary", "booking", "phone", "phone_hours", "email")
_KEYS = frozenset({*_TEXTS, "offers", "rooms", "crisis_line", "hotlines", "emergency"})


def _text(value, where: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise CentreRulesError(f"{where}: 应为文字，而不是 {value!r}")
    if required and not value.strip():
        raise CentreRulesError(f"{where}: 不能为空")
    return value.strip()


def _row(value, where: str, fields: dict[str, bool]) -> dict:
    if not isinstance(value, dict):
        raise CentreRulesError(f"{where}: 应为 {{ … }} 形式的表")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise CentreRulesError(f"{where}: 未知字段“{unknown[0]}”")
    row = {}
    for name, required in fields.items():
        if required and name not in value:
            raise CentreRulesError(f"{where}: 缺少“{name}”")
        row[name] = _text(value.get(name, ""), f"{where}.{name}", required=required)
    return row


def _rows(raw, key: str, fields: dict[str, bool]) -> list[dict]:
    values = raw[key]
    if not isinstance(values, list):
        raise CentreRulesError(f"centre.{key}: 应为一个列表")
    return [_row(value, f"centre.{key}[{n}]", fields) for n, value in enumerate(values)]


def _is_number(text: str) -> bool:
    return set(text) <= set("0123456789-+ ") and any(ch.isdigit() for ch in text)


def _number(line: Line, where: str) -> Line:
    if not _is_number(line.number):
        raise CentreRulesError(f"{where}.number: “{line.number}”不是电话号码")
    return line


def parse_centre(raw: dict | None) -> CentreRules:
    """The [centre] table checked; a missing table or key keeps the default."""
    if raw is None:
        return DEFAULT_CENTRE
    if not isinstance(raw, dict):
        raise CentreRulesError("centre: 应为一个表")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise CentreRulesError(f"centre: 未知字段“{unknown[0]}”")
    values: dict = {}
    for key in _TEXTS:
        if key in raw:
            values[key] = _text(raw[key], f"centre.{key}", required=key == "name")
    if values.get("phone") and not _is_number(values["phone"]):
        raise CentreRulesError(f"centre.phone: “{values['phone']}”不是电话号码")
    if "email" in values and values["email"] and "@" not in values["email"]:
        raise CentreRulesError(f"centre.email: “{values['email']}”不是电子邮箱地址")
    if "offers" in raw:
        offers = raw["offers"]
        if not isinstance(offers, list):
            raise CentreRulesError("centre.offers: 应为一个列表")
        values["offers"] = tuple(_text(item, f"centre.offers[{n}]", required=True) for n, item in enumerate(offers))
    if "rooms" in raw:
        rows = _rows(raw, "rooms", {"name": True, "location": True, "hours": False})
        values["rooms"] = tuple(Room(**row) for row in rows)
    if "crisis_line" in raw:
        row = _row(raw["crisis_line"], "centre.crisis_line", {"name": True, "number": True, "hours": False})
        values["crisis_line"] = _number(Line(**row), "centre.crisis_line")
    for key in ("hotlines", "emergency"):
        if key in raw:
            rows = _rows(raw, key, {"name": True, "number": True, "hours": False})
            values[key] = tuple(_number(Line(**row), f"centre.{key}[{n}]") for n, row in enumerate(rows))
    if "hotlines" in values and not values["hotlines"]:
        raise CentreRulesError("centre.hotlines: 至少需要一条心理援助热线")
    return CentreRules(**values)
