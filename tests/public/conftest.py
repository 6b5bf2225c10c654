"""Helpers for the public page's tests: articles in each status, images, and the cast by who may edit."""

import io

import pytest
from django.core.cache import cache
from PIL import Image

from xinyu.public import services

EDITORS = ["counsellor", "supervisor"]  # the centre's posts
OTHER_STAFF = ["head_teacher", "advisor", "mental_health_advisor", "college_leader", "leading_group_member",
               "outsider", "student_affairs"]  # fmt: skip
STUDENTS = ["student", "dorm_leader", "wellbeing_rep"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def png_bytes(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_exif(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: turned 90°
    exif[0x9003] = "2026:05:25 10:00:00"  # DateTimeOriginal (in the base IFD is enough for the test)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def articles(world):
    """A published article (with an image), a draft (with an image) and a withdrawn one."""
    author = world.cast["counsellor"]
    published = services.create_article(world.school, by=author, title="睡个好觉", summary="关于睡眠",
                                        body="## 作息\n\n早睡早起。")  # fmt: skip
    shown = services.add_image(published, by=author, upload=png_bytes(), description="月亮")
    services.publish(published, by=author)
    draft = services.create_article(world.school, by=author, title="草稿：考试焦虑", body="还没写完。")
    hidden = services.add_image(draft, by=author, upload=png_bytes(), description="草稿配图")
    withdrawn = services.create_article(world.school, by=author, title="已撤回的文章", body="旧内容。")
    services.publish(withdrawn, by=author)
    services.withdraw(withdrawn, by=world.cast["supervisor"])
    for article in (published, draft, withdrawn):
        article.refresh_from_db()
    return {"published": published, "draft": draft, "withdrawn": withdrawn, "shown": shown, "hidden": hidden}
