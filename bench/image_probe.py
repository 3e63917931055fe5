"""The image-upload benchmark: the worst pictures within the upload limits, each cleaned in a fresh process.

`python bench/image_probe.py make DIR` writes the cases to DIR; `python bench/image_probe.py clean FILE` cleans one
and prints, as JSON, the CPU seconds (time.process_time, which another process's load does not inflate as it
does a wall clock), the peak resident memory added (the peak, reset just before, less the resident size then:
the file is already read and the codecs warmed up on small pictures), what it cost of the request's pixel budget
and the stored size. Every case is made with a fixed seed, so each run cleans the same bytes.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _noise(mode: str, size: tuple[int, int], levels: int, seed: int) -> bytes:
    """Random values from `levels` evenly spaced ones: as hard to compress as noise gets at that entropy."""
    rng = random.Random(seed)
    channels = {"L": 1, "P": 1, "RGB": 3, "RGBA": 4}[mode]
    step = 255 // max(1, levels - 1)
    table = bytes((i % levels) * step for i in range(256))
    return rng.randbytes(size[0] * size[1] * channels).translate(table)


def _encode(image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def cases() -> dict[str, bytes]:
    """The worst of each kind within the default limits (40 megapixels, 10 MB, the memory estimate)."""
    from PIL import Image

    side = 6324  # 39.99 megapixels
    bits = Image.frombytes("1", (side, side), random.Random(1).randbytes((side + 7) // 8 * side))
    palette = Image.frombytes("P", (6100, 6100), _noise("P", (6100, 6100), 4, 2))
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    grey16 = Image.frombytes("L", (4500, 4500), _noise("L", (4500, 4500), 2, 3)).point(lambda v: v * 257, "I")
    rgba = Image.frombytes("RGBA", (3300, 3300), _noise("RGBA", (3300, 3300), 2, 4))
    # A photo-like JPEG at the pixel limit: noise at an eighth of the size, enlarged smoothly, is detail at every
    # scale the decoder might use, and fills most of the 10 MB.
    small = Image.frombytes("RGB", (913, 685), _noise("RGB", (913, 685), 256, 5))
    photo = small.resize((7304, 5476), Image.Resampling.BICUBIC)
    phone = photo.resize((4032, 3024), Image.Resampling.BICUBIC)
    webp = Image.frombytes("RGB", (2150, 2150), _noise("RGB", (2150, 2150), 4, 6))
    # The largest that keep their format, so the PNG and WebP encoders run: 2048×2048 is 4.19 megapixels.
    kept_png = Image.frombytes("RGBA", (2048, 2048), _noise("RGBA", (2048, 2048), 16, 7))
    kept_webp = Image.frombytes("RGB", (2048, 2048), _noise("RGB", (2048, 2048), 8, 8))
    return {
        "png 1-bit noise 6324x6324 (the issue's case, as noise)": _encode(bits, "PNG"),
        "png palette of 4, noise 6100x6100": _encode(palette, "PNG"),
        "png 16-bit grey noise 4500x4500": _encode(grey16.convert("I;16"), "PNG"),
        "png rgba noise 3300x3300": _encode(rgba, "PNG"),
        "jpeg baseline 7304x5476": _encode(photo, "JPEG", quality=72),
        "jpeg phone photo 4032x3024": _encode(phone, "JPEG", quality=95),
        "jpeg progressive 4032x3024": _encode(phone, "JPEG", quality=90, progressive=True),
        "webp noise 2150x2150 (stored as JPEG)": _encode(webp, "WEBP", quality=90),
        "png rgba noise 2048x2048 (kept as PNG)": _encode(kept_png, "PNG"),
        "webp noise 2048x2048 (kept as WebP)": _encode(kept_webp, "WEBP", quality=95),
    }


def make(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, (name, data) in enumerate(cases().items()):
        (folder / f"{number}.bin").write_bytes(data)
        (folder / f"{number}.name").write_text(name)


def _status(field: str) -> int:
    """A size from /proc/self/status (VmRSS, VmHWM), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak() -> None:
    """Linux resets the peak resident size (VmHWM) to the present one when "5" is written to clear_refs."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def clean(path: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_platform.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 40)  # needed without DEBUG
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safety_platform.lib.images import ImageRejected, clean_image, pixel_budget

    data = path.read_bytes()
    from PIL import Image

    for fmt in ("PNG", "JPEG", "WEBP"):
        clean_image(SimpleUploadedFile("warm", _encode(Image.new("RGB", (8, 8)), fmt)))
    _reset_peak()
    before = _status("VmRSS")
    start = time.process_time()
    with pixel_budget() as budget:
        try:
            image = clean_image(SimpleUploadedFile(path.name, data))
            outcome = {"stored": f"{image.width}x{image.height}", "bytes": len(image.content)}
        except ImageRejected as exc:
            outcome = {"refused": exc.code}
    cpu = time.process_time() - start
    peak = _status("VmHWM")
    return {
        "cpu_s": cpu,
        "extra_mb": max(0, peak - before) / 2**20,
        "file_mb": len(data) / 2**20,
        "charged": budget.spent,
        "budget": budget.limit,
        **outcome,
    }


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(Path(sys.argv[2]))
    else:
        print(json.dumps(clean(Path(sys.argv[2]))))
