"""A section's student list as Excel, formula-safe through `xinyu.roster.export` (headers in Chinese)."""

from xinyu.roster import export
from xinyu.roster.vocabulary import GENDER_NAMES, STATUS_NAMES

HEADERS = ["序号", "学号", "姓名", "性别", "学院", "班级", "学籍状态"]
WIDTHS = [6, 14, 10, 6, 20, 18, 10]


def rows(students):
    for index, student in enumerate(students.iterator(chunk_size=2000), start=1):
        yield [
            str(index),
            student.student_number,
            student.name,
            GENDER_NAMES.get(student.gender, ""),
            student.class_group.college.name,
            student.class_group.name,
            STATUS_NAMES.get(student.status, ""),
        ]


def section_roster_xlsx(section, students) -> tuple[bytes, int]:
    return export.to_xlsx("选课名单", HEADERS, rows(students), WIDTHS)
