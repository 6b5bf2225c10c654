"""Roster import: 50,000 students from one .xlsx in ≤ 30 s end to end, against a plain bulk insert.

The file is generated (deterministic) with every column filled: ID numbers with valid check digits,
guardians, dorm rooms (not yet in the system, so the import creates them). Colleges and classes exist,
as they do when a college imports its new intake. The import's phases are timed within one end-to-end
run; the baseline is `Student.objects.bulk_create` of the same 50,000 rows (classes and rooms present,
no accounts, guardians, encryption or audit), measured in the same run on the same database, under the
same conditions (DEBUG off, cyclic garbage collector paused).

The file is written by openpyxl, which stores every text cell inline: the slower case to read. Excel
and WPS store text in a shared-string table, which openpyxl reads about twice as fast.
"""

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import openpyxl
from django.db import connection
from django.test.utils import override_settings

from bench.harness import sized
from xinyu.org.id_numbers import check_digit
from xinyu.org.models import ClassGroup, College, DormRoom, School, Student
from xinyu.roster import importer

STUDENTS = sized(50_000, 200)
COLLEGES = 10
CLASSES_PER_COLLEGE = 50  # 500 classes of 100
ROOM_SIZE = 6
TARGET_SECONDS = 30.0
HEADER = [
    "学号", "姓名", "性别", "出生日期", "身份证号", "入学年份", "学籍状态", "学院", "班级", "专业",
    "宿舍楼", "寝室号", "手机", "监护人姓名", "监护人关系", "监护人电话",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然子轩梓涵一诺欣怡思远"


def _college_name(c: int) -> str:
    return f"第{c + 1}学院"


def _class_name(c: int, k: int) -> str:
    return f"专业{c + 1:02d}-{k + 1:02d}班"


def _rows(rng: random.Random):
    for i in range(STUDENTS):
        gender = "男" if i % 2 else "女"  # as the ID number's 17th digit says
        birth = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(700))
        first17 = f"{330800 + i // 1000}{birth:%Y%m%d}{i % 1000:03d}"  # unique per student
        c, k = divmod(i // 100, CLASSES_PER_COLLEGE)
        building = f"{'男' if gender == '男' else '女'}生{(i // 2400) % 10 + 1}号楼"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        yield [
            f"2025{i:06d}",
            name,
            gender,
            birth,
            first17 + check_digit(first17),
            2025,
            "在读",
            _college_name(c % COLLEGES),
            _class_name(c % COLLEGES, k),
            f"专业{c + 1:02d}",
            building,
            str(100 + (i // 2 // ROOM_SIZE) % 400),
            f"13{rng.randrange(10**9):09d}",
            name[0] + "父",
            "父亲",
            f"15{rng.randrange(10**9):09d}",
        ]


def _write_file(path: Path) -> list[list]:
    rng = random.Random(2025)
    rows = list(_rows(rng))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "学生"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return rows


def _network() -> School:
    school = School.objects.create(name="衢州职业技术学院", code="QZPT")
    colleges = College.objects.bulk_create(
        College(school=school, name=_college_name(c), code=f"C{c:02d}") for c in range(COLLEGES)
    )
    ClassGroup.objects.bulk_create(
        ClassGroup(college=college, name=_class_name(c, k), enrolment_year=2025, major=f"专业{c + 1:02d}")
        for c, college in enumerate(colleges)
        for k in range(CLASSES_PER_COLLEGE)
    )
    return school


@importer.collector_paused  # the same conditions as the import's database phase
def _baseline(rows: list[list]) -> float:
    """A plain bulk insert of the same rows as Student objects, under a second school."""
    school = School.objects.create(name="基线学校", code="BASE")
    groups = {(g.college.name, g.name): g for g in ClassGroup.objects.select_related("college")}
    rooms = {(r.building, r.room): r for r in DormRoom.objects.all()}
    started = time.perf_counter()
    Student.objects.bulk_create(
        (
            Student(
                school=school,
                student_number=row[0],
                name=row[1],
                gender=Student.Gender.MALE if row[2] == "男" else Student.Gender.FEMALE,
                date_of_birth=row[3],
                enrolment_year=row[5],
                status=Student.Status.ENROLLED,
                class_group=groups[(row[7], row[8])],
                dorm_room=rooms[(row[10], row[11])],
                phone=row[12],
            )
            for row in rows
        ),
        batch_size=1000,
    )
    return time.perf_counter() - started


def run(report):
    # As in production: DEBUG off, so no query log is kept in memory (it costs about a tenth here).
    with override_settings(DEBUG=False):
        _run(report)


def _run(report):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"roster-{STUDENTS}.xlsx"
        rows = _write_file(path)
        _network()
        marks = {}

        def mark(phase, done, total=None):
            marks.setdefault(phase, time.perf_counter())

        started = time.perf_counter()
        plan = importer.import_file(path, path.name, report=mark)
        finished = time.perf_counter()
        assert not plan.problems, plan.problems[:5]
        assert Student.objects.count() == STUDENTS, Student.objects.count()

        again_started = time.perf_counter()
        again = importer.import_file(path, path.name)
        again_seconds = time.perf_counter() - again_started
        assert again.counts["students"]["unchanged"] == STUDENTS

    total = finished - started
    parse = marks[importer.CHECKING] - marks[importer.READING]
    validate = marks[importer.WRITING] - marks[importer.CHECKING]
    database = finished - marks[importer.WRITING]
    baseline = _baseline(rows)
    report(f"parse .xlsx ({STUDENTS} rows)", parse, "s")
    report("check rows", validate, "s")
    report("database phase (plan, write, audit)", database, "s", connection.vendor)
    report("end to end", total, "s", f"target ≤ {TARGET_SECONDS:g} s")
    report("baseline: plain Student bulk_create", baseline, "s", "same rows, same run")
    report("database phase / baseline", database / baseline, "×")
    report("re-import of the same file (writes nothing)", again_seconds, "s")
    met = "met" if total <= TARGET_SECONDS else "NOT met"
    print(f"   target of {TARGET_SECONDS:g} s end to end: {met} ({total:.1f} s)")
