"""Recording an activity: its place must be one the person may record for (`scope.recording_for`), a class
meeting's attendance comes from the class's roster, and up to four photos are checked (JPEG, PNG or WebP, at
most 8 MB) and re-encoded without their EXIF data (where and when a phone took them). One transaction with
its access-log entry."""

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from xinyu.audit.models import AuditEntry
from xinyu.education import scope
from xinyu.education.models import Activity, ActivityPhoto, Attendance, Level
from xinyu.org.access_log import Event, record
from xinyu.org.models import ClassGroup, Student
from xinyu.org.scope import Tier, own_student

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# Which kinds belong at which level.
KINDS_BY_LEVEL = {
    Level.SCHOOL: (
        Activity.Kind.ACTIVITY_MONTH, Activity.Kind.LECTURE, Activity.Kind.ASSOCIATION, Activity.Kind.COMMUNITY_SERVICE,
    ),
    Level.COLLEGE: (Activity.Kind.COLLEGE_EVENT, Activity.Kind.LECTURE, Activity.Kind.ACTIVITY_MONTH),
    Level.CLASS: (Activity.Kind.CLASS_MEETING,),
    Level.DORM: (Activity.Kind.DORM_ACTIVITY,),
}  # fmt: skip


class ActivityError(Exception):
    """An activity refused, with the reason in words for the person recording it."""


@dataclass
class Photo:
    file_name: str
    content_type: str
    content: bytes


@dataclass
class Draft:
    level: str
    kind: str
    title: str
    held_on: dt.date
    minutes: int
    school_id: int | None = None
    college: object | None = None
    class_group: object | None = None
    dorm_room: object | None = None
    audience: str = ""
    headcount: int | None = None
    account: str = ""
    absent: set[int] = field(default_factory=set)  # a class meeting: the roster's students not present


def clean_photo(upload) -> Photo:
    """The photo re-encoded without EXIF (turned upright first), or ActivityError saying what is wrong."""
    name = Path(upload.name or "photo").name
    if upload.size > MAX_PHOTO_BYTES:
        raise ActivityError(_("Photo %(name)s is larger than 8 MB.") % {"name": name})
    if upload.size == 0:
        raise ActivityError(_("Photo %(name)s is empty.") % {"name": name})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            if kind not in PHOTO_FORMATS:
                raise ActivityError(_("Photo %(name)s is not a JPEG, PNG or WebP picture.") % {"name": name})
            if image.width * image.height > MAX_PIXELS:
                raise ActivityError(_("Photo %(name)s has too many pixels.") % {"name": name})
            image.load()
            upright = ImageOps.exif_transpose(image)
            if kind == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            buffer = io.BytesIO()
            upright.save(buffer, format=kind)  # no exif= argument: the EXIF data is left behind
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ActivityError(_("Photo %(name)s is not a JPEG, PNG or WebP picture.") % {"name": name}) from None
    stem = Path(name).stem[:100] or "photo"
    return Photo(stem + SUFFIXES[kind], PHOTO_FORMATS[kind], buffer.getvalue())


def class_roster(class_group: ClassGroup):
    """The class's enrolled students, for taking attendance."""
    return Student.objects.filter(class_group=class_group, status=Student.Status.ENROLLED).order_by("student_number")


def _check_place(by, draft: Draft) -> None:
    places = scope.recording_for(by)
    if draft.kind not in KINDS_BY_LEVEL.get(draft.level, ()):
        raise ActivityError(_("This kind of activity is not held at that level."))
    match draft.level:
        case Level.SCHOOL:
            if draft.school_id not in places.schools:
                raise ActivityError(_("You may not record school activities."))
        case Level.COLLEGE:
            if draft.college is None or not places.colleges.filter(pk=draft.college.pk).exists():
                raise ActivityError(_("Please choose a college you may record activities for."))
        case Level.CLASS:
            if draft.class_group is None or not places.class_groups.filter(pk=draft.class_group.pk).exists():
                raise ActivityError(_("Please choose a class you may record activities for."))
        case Level.DORM:
            if draft.dorm_room is None or not places.dorm_rooms.filter(pk=draft.dorm_room.pk).exists():
                raise ActivityError(_("Please choose a dorm room you may record activities for."))
        case _:
            raise ActivityError(_("Please choose the level."))


@transaction.atomic
def record_activity(draft: Draft, *, by, photos=()) -> Activity:
    """Save the activity, its attendance (a class meeting: everyone on the roster but the absent) and photos."""
    _check_place(by, draft)
    if not (draft.title or "").strip():
        raise ActivityError(_("Please give the activity a title."))
    if draft.held_on is None or draft.held_on > timezone.localdate():
        raise ActivityError(_("The date is the day it was held, not a day to come."))
    if not draft.minutes or draft.minutes <= 0 or draft.minutes > 24 * 60:
        raise ActivityError(_("The duration is between 1 minute and 24 hours."))
    if len(photos) > ActivityPhoto.MAX_PER_ACTIVITY:
        raise ActivityError(_("At most %(count)d photos.") % {"count": ActivityPhoto.MAX_PER_ACTIVITY})
    cleaned = [clean_photo(upload) for upload in photos]
    college, school_id = draft.college, draft.school_id
    if draft.class_group is not None:
        college = draft.class_group.college
    if draft.level == Level.DORM:
        school_id = draft.dorm_room.school_id
        student = own_student(by)
        college = student.class_group.college if student is not None else None
    school_id = school_id or college.school_id
    roster = list(class_roster(draft.class_group)) if draft.level == Level.CLASS else []
    present = [student for student in roster if student.pk not in draft.absent]
    activity = Activity.objects.create(
        school_id=school_id, kind=draft.kind, level=draft.level,
        college=college if draft.level != Level.SCHOOL else None,
        class_group=draft.class_group if draft.level == Level.CLASS else None,
        dorm_room=draft.dorm_room if draft.level == Level.DORM else None,
        title=draft.title.strip(), held_on=draft.held_on, minutes=draft.minutes, organiser=by,
        audience=(draft.audience or "").strip(), headcount=len(present) if roster else draft.headcount,
        account=(draft.account or "").strip(), created_by=by,
    )  # fmt: skip
    Attendance.objects.bulk_create([Attendance(activity=activity, student=student) for student in present])
    ActivityPhoto.objects.bulk_create(
        [
            ActivityPhoto(activity=activity, file_name=photo.file_name, content_type=photo.content_type,
                          size=len(photo.content), content=photo.content, uploaded_by=by)
            for photo in cleaned
        ]
    )  # fmt: skip
    record(by, Event(AuditEntry.Action.CREATE, "education.activity", tier=Tier.T0,
                     detail={"activity": activity.pk, "kind": draft.kind, "present": len(present),
                             "photos": len(cleaned)}))  # fmt: skip
    return activity
