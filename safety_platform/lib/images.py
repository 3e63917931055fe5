"""Hazard photos from inspectors' phones, made safe to store and to show.

`clean_image()` decides the type from the bytes (never the file name or the browser's content type), refuses
oversize files before reading them, refuses decompression bombs before decoding them, and re-encodes the pixels,
so what is stored carries no GPS position, no camera serial, no comment and no trailing payload.
"""

from __future__ import annotations

import contextlib
import io
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = 320
QUALITY = 85

_MB = 1024 * 1024
_READ_CHUNK = 1024 * 1024

# Everything Pillow raises for a file it cannot make sense of. UnidentifiedImageError is an OSError; struct.error
# and EOFError come out of a few plugins' header parsers.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, struct.error)

# Pillow reads 16-bit greyscale PNGs in these modes, and its convert() clips them to 255: a white picture.
_SIXTEEN_BIT = {"I", "I;16", "I;16B", "I;16L", "I;16N"}


@dataclass(frozen=True)
class _Kind:
    pillow_names: frozenset[str]
    content_type: str
    extension: str
    save_options: dict[str, Any]


# MPO is what Pillow calls a JPEG with a Multi-Picture index, which many phone cameras write: it is still a JPEG.
_KINDS = {
    "JPEG": _Kind(frozenset({"JPEG", "MPO"}), "image/jpeg", "jpg", {"quality": QUALITY}),
    "PNG": _Kind(frozenset({"PNG"}), "image/png", "png", {}),
    "WEBP": _Kind(frozenset({"WEBP"}), "image/webp", "webp", {"quality": QUALITY}),
}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int


class ImageRejected(ValueError):
    """An upload we refuse: `message` is a translated sentence for the inspector, `code` a short one for programs.

    Codes: "type", "size", "bomb", "corrupt".
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def clean_image(upload: Any, *, max_bytes: int | None = None, max_pixels: int | None = None) -> CleanImage:
    """Check an uploaded photo and return it re-encoded without metadata, with a JPEG thumbnail.

    Raises ImageRejected. The settings are read on each call so that override_settings works.
    """
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    if max_pixels is None:
        max_pixels = getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    data = _read_limited(upload, max_bytes)
    kind = _sniff(data)
    if kind is None:
        raise _wrong_type()
    with _pillow_errors_rejected():
        image = _strip(_decode(data, kind, max_pixels), kind)
    return CleanImage(
        content=_encode(image, kind),
        thumbnail=_thumbnail(image),
        content_type=_KINDS[kind].content_type,
        extension=_KINDS[kind].extension,
        width=image.width,
        height=image.height,
    )


def _read_limited(upload: Any, limit: int) -> bytes:
    """The upload's bytes, refusing it as soon as it is known to exceed `limit`: never more than limit + 1 read."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_big(limit)
    # Form validation (Django's ImageField, for one) may already have read the file: start from the top.
    with contextlib.suppress(AttributeError, OSError):
        upload.seek(0)
    data = bytearray()
    while len(data) <= limit:
        # A loop, because raw streams may return fewer bytes than asked for.
        chunk = upload.read(min(_READ_CHUNK, limit + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    if len(data) > limit:
        raise _too_big(limit)
    return bytes(data)


def _sniff(data: bytes) -> str | None:
    """The format the magic bytes announce, if it is one we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


@contextlib.contextmanager
def _pillow_errors_rejected() -> Iterator[None]:
    """Turn Pillow's many ways of saying "bad file" into ImageRejected, with bomb warnings made errors.

    Pillow only warns between MAX_IMAGE_PIXELS and twice that; our own check comes first at the default limits,
    but a caller who raises max_pixels still gets Pillow's limit. catch_warnings is process-wide before Python
    3.14; a race with another thread can at worst leave this one "error" filter installed, which is harmless.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except ImageRejected:
            raise  # it is a ValueError too, and already says why
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(None) from None
        except _DAMAGED:
            raise _damaged() from None


def _decode(data: bytes, kind: str, max_pixels: int) -> Image.Image:
    """Open, check and fully decode the first frame, refusing bombs from the header alone."""
    with _strict_loading():
        # formats= keeps Pillow to the parser the magic bytes named: no GIF, TIFF or PSD parser sees the data.
        with Image.open(io.BytesIO(data), formats=[kind]) as probe:
            if probe.format not in _KINDS[kind].pillow_names:
                raise _wrong_type()
            width, height = probe.size
            if width * height > max_pixels:
                raise _too_many_pixels(width * height)
            # verify() checks chunk CRCs (PNG) without decoding; it leaves the image unusable, hence a second open.
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=[kind])
        image.load()  # of an animation, the first frame only
    return image


_TRUNCATION_LOCK = threading.Lock()


@contextlib.contextmanager
def _strict_loading() -> Iterator[None]:
    """A truncated upload must fail load(). WeasyPrint (for PDFs of our own pages) sets Pillow's process-wide
    ImageFile.LOAD_TRUNCATED_IMAGES to True when it is imported (and Pillow also reads it while parsing PNG text
    chunks), so it is switched off around our decoding only."""
    with _TRUNCATION_LOCK:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _strip(image: Image.Image, kind: str) -> Image.Image:
    """Upright, in a mode the output format takes, and with no metadata left to be written back."""
    ImageOps.exif_transpose(image, in_place=True)
    if image.mode in _SIXTEEN_BIT:
        image = image.point(lambda value: value / 256, "L")
    keep_alpha = kind != "JPEG" and image.has_transparency_data
    clean = image.convert("RGBA" if keep_alpha else "RGB")
    # convert() copies .info, and the savers write some of it back: the JPEG comment, the PNG ICC profile.
    clean.info.clear()
    return clean


def _encode(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **_KINDS[kind].save_options)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    """A JPEG whose longest side is THUMBNAIL_SIZE, or the picture's own size if smaller: never enlarged."""
    scale = min(1.0, THUMBNAIL_SIZE / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    thumb = image.resize(size, Image.Resampling.LANCZOS) if size != image.size else image
    if thumb.mode == "RGBA":
        # Transparent areas on white, as the pages show them, rather than on whatever colour JPEG would invent.
        thumb = Image.alpha_composite(Image.new("RGBA", thumb.size, "white"), thumb)
    buffer = io.BytesIO()
    thumb.convert("RGB").save(buffer, "JPEG", quality=QUALITY)
    return buffer.getvalue()


def _number(value: float) -> str:
    # Three significant figures read well at every scale we show: "10", "0.5", "48", "900".
    return f"{value:.3g}" if value < 1000 else f"{value:.0f}"


def _wrong_type() -> ImageRejected:
    return ImageRejected(_("Only photos in JPEG, PNG or WebP format can be uploaded."), code="type")


def _too_big(limit: int) -> ImageRejected:
    return ImageRejected(_("The photo is larger than %(limit)s MB.") % {"limit": _number(limit / _MB)}, code="size")


def _too_many_pixels(pixels: int | None) -> ImageRejected:
    if pixels is None:
        # Pillow refused it while reading the header and did not tell us the size.
        return ImageRejected(_("The image is too large to process."), code="bomb")
    message = _("The image is too large to process (%(pixels)s megapixels).") % {"pixels": _number(pixels / 1e6)}
    return ImageRejected(message, code="bomb")


def _damaged() -> ImageRejected:
    return ImageRejected(_("The file is damaged or incomplete; please take the photo again."), code="corrupt")
