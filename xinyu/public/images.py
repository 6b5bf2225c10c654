"""An image uploaded with an article: its type and size checked, then re-encoded with Pillow so nothing of
the file but its pixels is kept (no EXIF: no camera, no place, no time), turned the way the camera meant."""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 24_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 1600  # larger images are scaled down: a phone page needs no more
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class ImageError(Exception):
    """An upload that is not an image we keep; the message says why, in Chinese."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_image(upload) -> CleanImage:
    """The upload (a file-like object with .size or bytes) as a re-encoded JPEG or PNG without metadata."""
    raw = upload if isinstance(upload, bytes) else upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImageError(_("The image is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not raw:
        raise ImageError(_("The file is empty."))
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in FORMATS:
                raise ImageError(_("Only JPEG, PNG and WebP images can be uploaded."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageError(_("The image has too many pixels."))
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except UnidentifiedImageError as exc:
        raise ImageError(_("The file is not an image.")) from exc
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(_("The image cannot be read.")) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    keeps_alpha = image.mode in ("RGBA", "LA", "P") and kind != "JPEG"
    out = io.BytesIO()
    if keeps_alpha:
        image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        content_type = "image/png"
    else:
        image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
        content_type = "image/jpeg"
    return CleanImage(out.getvalue(), content_type, image.width, image.height)
