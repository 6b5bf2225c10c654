"""A problem found in an import file: where it is (as the user sees it in Excel) and why it is refused."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    sheet: str  # the sheet's name in the file (学生, 教职工, 任职), or the file name for a CSV
    row: int | None  # the row number Excel shows; None for a problem with the whole file or sheet
    column: str  # the column header as written in the file; "" when the problem is not about one cell
    value: str  # the cell's value as the user typed it
    code: str  # a stable name for tests and tools, e.g. "id_number", "duplicate", "unknown_class_group"
    reason: str  # a sentence for the user, in their language

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__})

    @property
    def sort_key(self):
        return (self.sheet, self.row or 0, self.column)


class CellError(ValueError):
    """Raised by a cell cleaner: the value cannot be used, with a code and a reason for the user."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class RefusedFile(Exception):
    """The file is refused as a whole, before anything in it is read."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason
