"""Recording an activity: places, attendance from the roster, photos checked and stripped of EXIF."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.education.conftest import jpeg_with_exif
from xinyu.education.activities import ActivityError, Draft, clean_photo, record_activity
from xinyu.education.models import Activity, Level

pytestmark = pytest.mark.django_db


def upload(content: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, content)


def test_a_jpeg_is_re_encoded_without_exif():
    photo = clean_photo(upload(jpeg_with_exif()))
    assert photo.content_type == "image/jpeg" and photo.file_name == "photo.jpg"
    with Image.open(io.BytesIO(photo.content)) as image:
        assert dict(image.getexif()) == {} and image.size == (40, 30)


def test_an_upright_turn_is_applied_before_the_exif_goes():
    image = Image.new("RGB", (40, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(clean_photo(upload(buffer.getvalue())).content)) as cleaned:
        assert cleaned.size == (30, 40)


def test_a_png_keeps_its_type_and_its_name_gets_the_right_suffix():
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(buffer, format="PNG")
    photo = clean_photo(upload(buffer.getvalue(), name="活动.jpeg"))
    assert (photo.content_type, photo.file_name) == ("image/png", "活动.png")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a picture", "not a JPEG"),
        (b"GIF89a" + b"\0" * 20, "not a JPEG"),
    ],
)
def test_bad_photos_are_refused_naming_the_file(content, words):
    with pytest.raises(ActivityError, match=words) as caught:
        clean_photo(upload(content, name="坏.jpg"))
    assert "坏.jpg" in str(caught.value)


def test_a_gif_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buffer, format="GIF")
    with pytest.raises(ActivityError, match="not a JPEG"):
        clean_photo(upload(buffer.getvalue(), name="a.gif"))


def test_a_photo_over_8_mb_is_refused(monkeypatch):
    big = upload(jpeg_with_exif())
    big.size = 8 * 1024 * 1024 + 1
    with pytest.raises(ActivityError, match="8 MB"):
        clean_photo(big)


def draft(world, **fields):
    values = {
        "level": Level.CLASS,
        "kind": Activity.Kind.CLASS_MEETING,
        "title": "班会",
        "held_on": timezone.localdate(),
        "minutes": 40,
        "class_group": world.a1,
    }
    return Draft(**(values | fields))


def test_at_most_four_photos_and_nothing_saved_on_a_refusal(world):
    photos = [upload(jpeg_with_exif(), name=f"{n}.jpg") for n in range(5)]
    with pytest.raises(ActivityError, match="4"):
        record_activity(draft(world), by=world.cast["head_teacher"], photos=photos)
    bad = [upload(jpeg_with_exif()), upload(b"junk", name="junk.jpg")]
    with pytest.raises(ActivityError, match=r"junk\.jpg"):
        record_activity(draft(world), by=world.cast["head_teacher"], photos=bad)
    assert not Activity.objects.exists()


def test_places_each_person_may_record(world):
    cast = world.cast
    record_activity(draft(world), by=cast["head_teacher"])
    record_activity(draft(world, class_group=world.a2), by=cast["mental_health_advisor"])
    record_activity(draft(world, class_group=world.b1), by=cast["student_affairs"])
    record_activity(
        draft(world, level=Level.DORM, kind=Activity.Kind.DORM_ACTIVITY, class_group=None, dorm_room=world.r1),
        by=cast["dorm_leader"],
    )
    record_activity(
        draft(world, level=Level.COLLEGE, kind=Activity.Kind.COLLEGE_EVENT, class_group=None, college=world.college_a),
        by=cast["college_leader"],
    )
    record_activity(
        draft(
            world, level=Level.SCHOOL, kind=Activity.Kind.ACTIVITY_MONTH, class_group=None, school_id=world.school.pk
        ),
        by=cast["counsellor"],
    )
    dorm = Activity.objects.get(level=Level.DORM)
    assert (dorm.dorm_room, dorm.college, dorm.school) == (world.r1, world.college_a, world.school)
    refused = [
        ("head_teacher", draft(world, class_group=world.a2)),
        ("wellbeing_rep", draft(world, class_group=world.b1)),
        (
            "dorm_leader",
            draft(world, level=Level.DORM, kind=Activity.Kind.DORM_ACTIVITY, class_group=None, dorm_room=world.r2),
        ),
        (
            "outsider",
            draft(
                world, level=Level.COLLEGE, kind=Activity.Kind.COLLEGE_EVENT, class_group=None, college=world.college_a
            ),
        ),
        (
            "college_leader",
            draft(world, level=Level.SCHOOL, kind=Activity.Kind.LECTURE, class_group=None, school_id=world.school.pk),
        ),
        ("head_teacher", draft(world, kind=Activity.Kind.LECTURE)),  # a lecture is not a class's kind
        ("head_teacher", draft(world, held_on=timezone.localdate() + dt.timedelta(days=1))),
        ("head_teacher", draft(world, minutes=0)),
        ("head_teacher", draft(world, title="  ")),
    ]
    for who, refused_draft in refused:
        with pytest.raises(ActivityError):
            record_activity(refused_draft, by=cast[who])
    assert Activity.objects.count() == 6


def test_a_class_meeting_takes_the_enrolled_roster_minus_the_absent(world):
    activity = record_activity(draft(world, absent={world.in_scope.pk}), by=world.cast["wellbeing_rep"])
    expected = {s.pk for s in world.a1.students.all()} - {world.in_scope.pk}
    assert set(activity.attendance.values_list("student_id", flat=True)) == expected
    assert activity.headcount == len(expected)
