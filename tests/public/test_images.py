"""Images uploaded with an article: type and size checked, re-encoded without EXIF."""

import io

import pytest
from PIL import Image

from tests.public.conftest import jpeg_with_exif, png_bytes
from xinyu.public import images
from xinyu.public.images import ImageError, clean_image


def test_a_jpeg_loses_its_exif_and_is_turned_upright():
    cleaned = clean_image(jpeg_with_exif((64, 48)))
    assert cleaned.content_type == "image/jpeg"
    assert (cleaned.width, cleaned.height) == (48, 64)  # orientation 6 applied, then dropped
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"SecretCam" not in cleaned.data and b"2026:05:25" not in cleaned.data


def test_a_png_stays_a_png_with_transparency():
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buffer, "PNG")
    cleaned = clean_image(buffer.getvalue())
    assert cleaned.content_type == "image/png"


def test_large_images_are_scaled_down():
    cleaned = clean_image(png_bytes(size=(4000, 1000)))
    assert max(cleaned.width, cleaned.height) == images.MAX_SIDE


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "The file is empty."),
        (b"<script>alert(1)</script>", "The file is not an image."),
        (b"%PDF-1.4 not an image", "The file is not an image."),
    ],
)
def test_not_images_are_refused(data, message):
    with pytest.raises(ImageError, match=message):
        clean_image(data)


def test_other_image_types_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ImageError, match="Only JPEG, PNG and WebP"):
        clean_image(buffer.getvalue())


def test_too_large_files_are_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    with pytest.raises(ImageError, match="larger than"):
        clean_image(png_bytes(size=(200, 200), colour=(1, 2, 3)) + b"x" * 200)


def test_too_many_pixels_are_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100)
    with pytest.raises(ImageError, match="too many pixels"):
        clean_image(png_bytes(size=(20, 20)))
