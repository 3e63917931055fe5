"""Hazard photos from inspectors' phones, made safe to store and to show.

`clean_image()` decides the type from the bytes (never the file name or the browser's content type), refuses
oversize files before reading them, refuses decompression bombs before decoding them, and re-encodes the pixels,
so what is stored carries no GPS position, no camera serial, no comment and no trailing payload.

The work is bounded, because a small file can be a large picture (a 5 KB 1-bit PNG of 40 megapixels):

1. Before decoding, the header's size is checked against the per-image limit (UPLOAD_MAX_PIXELS), the memory
   the decoding would need against DECODE_MEMORY, and the pixels against what is left of the request's budget
   (UPLOAD_REQUEST_MAX_PIXELS, shared by every photo of one request through `UploadBudgetMiddleware`).
2. A photo is stored with its longest side at most STORED_MAX_SIDE. A JPEG is decoded at that size or the next
   one up (libjpeg's DCT scaling, Pillow's draft()), so most of its pixels are never made.
3. Converting the mode (1-bit, palette, 16-bit) and resizing go a band of rows at a time: no full-size copy in
   another mode, and no full-size intermediate of the two-pass resize, is ever held.
4. The thumbnail comes from the stored picture, reduced by box averaging before it is filtered (reducing_gap).

docs/benchmarks.md ("Image uploads") has the measured cost of the worst image within these limits.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import struct
import threading
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFile

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_REQUEST_MAX_PIXELS = 120_000_000
THUMBNAIL_SIZE = 320
QUALITY = 85
# The longest side of a stored photo: a phone's 4000×3000 is kept at 2560×1920, enough to read a label.
STORED_MAX_SIDE = 2560
# PNG and WebP pictures up to this size keep their format (and transparency); larger ones are stored as JPEG.
# zlib behind Pillow's PNG filters and libwebp take about 0.15 s a megapixel of noise, JPEG a tenth of that.
KEEP_FORMAT_MAX_PIXELS = 4_200_000
# The most memory cleaning one image may take, estimated from its header (see _memory_needed): a progressive
# 4032×3024 JPEG needs 85 MB, a 1-bit or palette PNG of 40 megapixels 66 MB. With the upload's bytes (up to
# 10 MB) that keeps the worst image under 100 MB (docs/benchmarks.md).
DECODE_MEMORY = 88_000_000
# libjpeg holds a progressive or multi-scan JPEG's coefficients for the whole picture whatever the scale it
# decodes at; the header estimate covers progressive files, and this (libjpeg's own JPEGMEM, in units of 1000
# bytes) refuses a baseline file whose many scans would need the same. An operator's own value is kept.
os.environ.setdefault("JPEGMEM", f"{DECODE_MEMORY // 1000}")
# Output rows made at a time by _resized(): small enough that a band in RGBA is a few megabytes.
_BAND_ROWS = 128

_MB = 1024 * 1024
_READ_CHUNK = 1024 * 1024

# Everything Pillow raises for a file it cannot make sense of. UnidentifiedImageError is an OSError; struct.error
# and EOFError come out of a few plugins' header parsers.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, struct.error)

# Pillow reads 16-bit greyscale PNGs in these modes, and its convert() clips them to 255: a white picture.
_SIXTEEN_BIT = {"I", "I;16", "I;16B", "I;16L", "I;16N"}

# Bytes a pixel takes in Pillow's memory (RGB is stored as four bytes); anything not listed takes four. A 16-bit
# PNG is two bytes a pixel, but decoding it was measured to hold 2.4.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 3, "I;16B": 3, "I;16L": 3, "I;16N": 3}
# Pillow's WebP decoder (libwebp's animation decoder) holds two RGBA canvases and hands over a copy of one,
# which is copied into the image: eighteen bytes a pixel, measured (docs/benchmarks.md); counted as nineteen.
_WEBP_BYTES_PER_PIXEL = 19
_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class _Kind:
    pillow_names: frozenset[str]
    content_type: str
    extension: str
    save_options: dict[str, Any]


# MPO is what Pillow calls a JPEG with a Multi-Picture index, which many phone cameras write: it is still a JPEG.
_KINDS = {
    "JPEG": _Kind(frozenset({"JPEG", "MPO"}), "image/jpeg", "jpg", {"quality": QUALITY}),
    # The fastest settings that still compress: zlib's level 1 and libwebp's method 0 take a third to a half of
    # the defaults' time on a picture of noise, the worst case (docs/benchmarks.md).
    "PNG": _Kind(frozenset({"PNG"}), "image/png", "png", {"compress_level": 1}),
    "WEBP": _Kind(frozenset({"WEBP"}), "image/webp", "webp", {"quality": QUALITY, "method": 0}),
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

    Codes: "type", "size", "bomb", "budget" (the request's photos together are too large), "corrupt".
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PixelBudget:
    """The pixels one request may decode, shared by all its photos; a PNG or WebP counts more (_weight)."""

    def __init__(self, pixels: int | None = None) -> None:
        if pixels is None:
            pixels = getattr(settings, "UPLOAD_REQUEST_MAX_PIXELS", DEFAULT_REQUEST_MAX_PIXELS)
        self.limit = pixels
        self.spent = 0

    def spend(self, pixels: int) -> None:
        if self.spent + pixels > self.limit:
            raise _over_budget(self.limit)
        self.spent += pixels


_request_budget: ContextVar[PixelBudget | None] = ContextVar("upload_pixel_budget", default=None)


@contextlib.contextmanager
def pixel_budget(pixels: int | None = None) -> Iterator[PixelBudget]:
    """Every clean_image() inside shares one budget: what a request may decode, whatever view or workflow
    function handles its files (the inspection page saves each item's photos by a separate call)."""
    budget = PixelBudget(pixels)
    token = _request_budget.set(budget)
    try:
        yield budget
    finally:
        _request_budget.reset(token)


class UploadBudgetMiddleware:
    """Gives each request its pixel budget (settings.UPLOAD_REQUEST_MAX_PIXELS)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with pixel_budget():
            return self.get_response(request)


def clean_image(upload: Any, *, max_bytes: int | None = None, max_pixels: int | None = None) -> CleanImage:
    """Check an uploaded photo and return it re-encoded without metadata, with a JPEG thumbnail.

    Raises ImageRejected. The settings are read on each call so that override_settings works. Outside a request
    (a task, the shell) each call has a budget of its own.
    """
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    if max_pixels is None:
        max_pixels = getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    budget = _request_budget.get() or PixelBudget()
    data = _read_limited(upload, max_bytes)
    kind = _sniff(data)
    if kind is None:
        raise _wrong_type()
    with _pillow_errors_rejected():
        image = _decode(data, kind, max_pixels, budget)
        del data
        kind = _stored_kind(image, kind)
        image = _strip(image, kind)
        return CleanImage(
            content=_encode(image, kind),
            thumbnail=_thumbnail(image),
            content_type=_KINDS[kind].content_type,
            extension=_KINDS[kind].extension,
            width=image.width,
            height=image.height,
        )


def clean_images(files: Any, field: str = "photos", *, named: bool = True) -> list[CleanImage]:
    """Clean every upload of a request before anything is written, so one bad file stores nothing at all.

    A refused file is a field error on `field` (django's ValidationError), prefixed with the file's name when
    `named`; the first refusal ends the check.
    """
    cleaned = []
    for upload in files or ():
        try:
            cleaned.append(clean_image(upload))
        except ImageRejected as exc:
            message = f"{getattr(upload, 'name', '')}: {exc.message}" if named else exc.message
            raise ValidationError({field: message}) from exc
    return cleaned


def _stored_kind(image: Image.Image, kind: str) -> str:
    """The format a picture is stored in: its own, unless it is a PNG or WebP that has to be made smaller or is
    larger than KEEP_FORMAT_MAX_PIXELS; those are stored as JPEG, whose encoder costs a tenth of theirs."""
    if kind == "JPEG":
        return kind
    size = _stored_size(image.size)
    return kind if size == image.size and size[0] * size[1] <= KEEP_FORMAT_MAX_PIXELS else "JPEG"


def _read_limited(upload: Any, limit: int) -> bytearray:
    """The upload's bytes, refusing it as soon as it is known to exceed `limit`: never more than limit + 1 read.

    A bytearray, not copied into bytes: Pillow reads either, and a second copy of 10 MB is memory for nothing."""
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
    return data


def _sniff(data: bytes | bytearray) -> str | None:
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


def _decode(data: bytes | bytearray, kind: str, max_pixels: int, budget: PixelBudget) -> Image.Image:
    """Open, check and decode the first frame (a JPEG at a reduced scale), refusing bombs from the header alone."""
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
        if kind == "JPEG":
            # DCT scaling: decoded at 1/2, 1/4 or 1/8 when what is kept is that much smaller; never below it.
            image.draft(None, _stored_size(image.size))
        if _memory_needed(image, kind, (width, height)) > DECODE_MEMORY:
            raise _too_many_pixels(width * height)
        budget.spend(width * height * _weight(image, kind))
        image.load()  # of an animation, the first frame only
    return image


def _weight(image: Image.Image, kind: str) -> int:
    """How many times its pixels a picture counts against the request's budget: about what it costs per pixel
    against a JPEG, which is decoded at a reduced scale and encoded cheaply (docs/benchmarks.md)."""
    if kind == "JPEG":
        return 1
    if kind == "WEBP" or _stored_kind(image, kind) == kind:
        return 4  # libwebp's decoder, or the PNG or WebP encoder
    return 2


def _stored_size(size: tuple[int, int]) -> tuple[int, int]:
    """`size` made to fit in STORED_MAX_SIDE, never enlarged."""
    scale = min(1.0, STORED_MAX_SIDE / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _memory_needed(image: Image.Image, kind: str, header_size: tuple[int, int]) -> int:
    """The most memory cleaning `image` will hold at once, from its header and, for a JPEG, the scale draft() set:
    the decoding (with libjpeg's coefficients of a progressive JPEG, or libwebp's canvases), or afterwards the
    decoded picture together with the stored one being made from it."""
    pixels = image.width * image.height
    held = pixels * _BYTES_PER_PIXEL.get(image.mode, 4)
    decoding = pixels * _WEBP_BYTES_PER_PIXEL if kind == "WEBP" else held
    if kind == "JPEG" and image.info.get("progressive"):
        # Two bytes a coefficient for every sample of the full-size picture, whatever the scale: `layer` holds
        # (component id, horizontal sampling, vertical sampling, table) for each component.
        layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * 3
        most = max(h for _, h, _, _ in layers) * max(v for _, _, v, _ in layers)
        decoding += 2 * header_size[0] * header_size[1] * sum(h * v for _, h, v, _ in layers) // most
    stored = _stored_size(image.size)
    making = held + stored[0] * stored[1] * 4 if stored != image.size or image.mode not in ("RGB", "RGBA") else 0
    return max(decoding, making)


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
    """At most STORED_MAX_SIDE, upright, in a mode the output format takes, with no metadata left to write back."""
    keep_alpha = kind != "JPEG" and image.has_transparency_data
    # A transparent picture stored as JPEG is put on white, as the pages show it.
    transpose = _TRANSPOSE.get(image.getexif().get(_ORIENTATION, 1))
    clean = _resized(image, _stored_size(image.size), "RGBA" if keep_alpha else "RGB")
    if clean is not image:
        image.close()  # the full-size pixels go before the turned copy below is made
    if transpose is not None:
        clean = clean.transpose(transpose)
    # resize() and convert() copy .info, and the savers write some of it back: the JPEG comment, the PNG ICC
    # profile.
    clean.info.clear()
    return clean


def _resized(image: Image.Image, size: tuple[int, int], mode: str) -> Image.Image:
    """`image` at `size` (no larger) in `mode`, made _BAND_ROWS output rows at a time.

    Each band of source rows, with the rows the filter reaches beyond it, is converted on its own and resized with
    a box inside the band (Pillow's filter reads past the box, up to the band's edge), so the result is the
    whole-picture resize while only a band is ever held in a wider mode or between the two passes. A grey picture
    (1-bit, 8- or 16-bit) is resized as one channel and only the result made RGB.
    """
    if image.size == size and image.mode == mode:
        return image
    grey = mode == "RGB" and (image.mode in _SIXTEEN_BIT or image.mode in ("1", "L"))
    work = "L" if grey else mode
    out = Image.new(mode, size)
    scale = image.height / size[1]
    # Bicubic reaches two source pixels times the scale on each side; one more row for rounding.
    margin = math.ceil(2 * scale) + 1 if image.size != size else 0
    for top in range(0, size[1], _BAND_ROWS):
        bottom = min(size[1], top + _BAND_ROWS)
        source_top, source_bottom = top * scale, bottom * scale
        first = max(0, math.floor(source_top) - margin)
        last = min(image.height, math.ceil(source_bottom) + margin)
        band = _converted(image.crop((0, first, image.width, last)), work)
        if image.size != size:
            box = (0, source_top - first, image.width, source_bottom - first)
            # reducing_gap: box-averaged to within twice the size first, then filtered (Pillow's thumbnail()).
            band = band.resize((size[0], bottom - top), Image.Resampling.BICUBIC, box=box, reducing_gap=2.0)
        out.paste(_converted(band, mode), (0, top))
    return out


def _converted(image: Image.Image, mode: str) -> Image.Image:
    if image.mode in _SIXTEEN_BIT:
        image = image.point(lambda value: value / 256, "L")
    if mode != "RGBA" and image.has_transparency_data:
        image = _on_white(image)
    return image if image.mode == mode else image.convert(mode)


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent areas on white, as the pages show them, rather than on whatever colour lies under them."""
    image = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)


def _encode(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **_KINDS[kind].save_options)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    """A JPEG whose longest side is THUMBNAIL_SIZE, or the picture's own size if smaller: never enlarged."""
    scale = min(1.0, THUMBNAIL_SIZE / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reducing_gap: box-averaged down to within three times the size first, then filtered; as good, and cheaper.
    thumb = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0) if size != image.size else image
    if thumb.mode == "RGBA":
        thumb = _on_white(thumb)
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


def _over_budget(limit: int) -> ImageRejected:
    message = _(
        "Together these photos are too large to process in one upload (at most %(limit)s megapixels of photos "
        "at a time). Please send them in smaller batches."
    ) % {"limit": _number(limit / 1e6)}
    return ImageRejected(message, code="budget")


def _damaged() -> ImageRejected:
    return ImageRejected(_("The file is damaged or incomplete; please take the photo again."), code="corrupt")
