"""Pure planning of the demo college's shape: how many students per college, intake and class, and who
shares which dorm room. No database here."""

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xinyu.org.demo.data import COLLEGES, INTAKE_WEIGHTS, CollegeSpec, Major

ROOM_MIN, ROOM_MAX = 4, 6


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), summing exactly to `total`."""
    exact = [total * w / sum(weights) for w in weights]
    shares = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def split_evenly(total: int, parts: int) -> list[int]:
    """`parts` sizes differing by at most one, larger first."""
    size, extra = divmod(total, parts)
    return [size + (i < extra) for i in range(parts)]


def student_number(intake: int, college_code: str, serial: int, seq: int) -> str:
    """学号: intake year, college code, class serial within the college's intake, seat in the class."""
    return f"{intake}{college_code}{serial:02d}{seq:02d}"


@dataclass
class ClassPlan:
    college: CollegeSpec
    intake: int
    serial: int  # 1.. within the college's intake
    major: Major
    name: str
    size: int
    group: object = None  # the ClassGroup, once created
    students: list = field(default_factory=list)


def plan_classes(students: int, intakes: Sequence[int], class_size: int) -> list[ClassPlan]:
    """Classes of about `class_size`, majors taking turns; the freshmen's first class of the first
    college (软件2601班 in 2026) comes first."""
    plans = []
    for spec, college_total in zip(COLLEGES, apportion(students, [c.weight for c in COLLEGES]), strict=True):
        for turn, (intake, total) in enumerate(zip(intakes, apportion(college_total, INTAKE_WEIGHTS), strict=True)):
            numbers: dict[str, int] = defaultdict(int)
            for serial, size in enumerate(split_evenly(total, max(1, round(total / class_size))), start=1):
                major = spec.majors[(serial - 1 + turn) % len(spec.majors)]
                numbers[major.short] += 1
                name = f"{major.short}{intake % 100:02d}{numbers[major.short]:02d}班"
                plans.append(ClassPlan(spec, intake, serial, major, name, size))
    return plans


def room_sizes(count: int) -> list[int]:
    """Rooms of 4–6 for as many of `count` people as possible (everyone unless count is 1–3 or 7)."""
    if count < ROOM_MIN:
        return []
    rooms = math.ceil(count / ROOM_MAX)
    if rooms * ROOM_MIN <= count:
        return split_evenly(count, rooms)
    return [ROOM_MAX] * (count // ROOM_MAX)


def _fill(people: list, rooms: list[list]) -> list:
    """Append rooms of `people` in order; return those left over."""
    start = 0
    for size in room_sizes(len(people)):
        rooms.append(people[start : start + size])
        start += size
    return people[start:]


def allocate_rooms(plans: list[ClassPlan], gender_of: Callable) -> tuple[list[list], list]:
    """Group each class's students into same-gender rooms of 4–6, in class order; the few left over
    share rooms with the same college and intake, then fill free beds anywhere of their gender.
    Returns the rooms (lists of students) and anyone without a bed (走读), normally no one."""
    rooms: list[list] = []
    leftover: dict[tuple, list] = defaultdict(list)
    for plan in plans:
        for gender in ("male", "female"):
            members = [s for s in plan.students if gender_of(s) == gender]
            leftover[(plan.college.code, plan.intake, gender)] += _fill(members, rooms)
    stragglers = []
    for people in leftover.values():
        stragglers += _fill(people, rooms)
    homeless = []
    for person in stragglers:
        free = [room for room in rooms if len(room) < ROOM_MAX and gender_of(room[0]) == gender_of(person)]
        if free:
            min(free, key=len).append(person)
        else:
            homeless.append(person)
    return rooms, homeless


def chunks(items: list, size: int) -> list[list]:
    """`items` in about len/size consecutive runs of near-equal length (an advisor's classes)."""
    count = max(1, round(len(items) / size))
    runs, start = [], 0
    for length in split_evenly(len(items), count):
        runs.append(items[start : start + length])
        start += length
    return runs
