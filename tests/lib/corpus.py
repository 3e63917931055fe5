"""The hostile upload corpus, built in memory: no binary file is committed, and every case says how it was made.

Pictures come from Pillow; everything else is a bytes literal or a byte-level edit of a valid picture.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib

from PIL import Image, PngImagePlugin

# Where the corpus hides personal data; none of it may survive cleaning.
GPS_LATITUDE = (31.0, 14.0, 51.23)  # 31°14'51.23" N, Shanghai
GPS_LONGITUDE = (121.0, 28.0, 45.67)
COMMENT = b"inspector phone 13900000001"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>exif:GPSLatitude 31,14.85N</rdf:RDF></x:xmpmeta>'
PAYLOAD = b"<script>fetch('/api/v1/users/')</script>"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def noise(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Random pixels: they do not compress, so a JPEG is mostly scan data and cutting it cuts the pixels."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def marked(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Blue with a red square in the top-left corner, to tell which way a picture was turned."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    return image.convert(mode)


def gps_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation 6: the camera was turned, show it rotated 90° clockwise
    exif[0x010F] = "HazardCam"  # Make
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: GPS_LONGITUDE}  # GPSInfo IFD
    return exif


def jpeg_with_gps() -> bytes:
    """A 120×80 phone photo lying on its side (Orientation 6) with GPS, a comment and XMP."""
    return encode(marked((120, 80)), "JPEG", exif=gps_exif(), comment=COMMENT, xmp=XMP)


def png_with_alpha() -> bytes:
    """RGBA with a transparent top-left corner, plus a text chunk, an eXIf chunk and an ICC profile."""
    image = Image.new("RGBA", (60, 40), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 10, 10))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", COMMENT.decode())
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    return encode(image, "PNG", pnginfo=info, exif=gps_exif(orientation=1), icc_profile=fake_icc())


def fake_icc() -> bytes:
    # Pillow stores whatever it is given; the content only has to be recognisable in the output.
    return b"\0\0\0\x80ICC-PROFILE-MARKER" + bytes(108)


def webp() -> bytes:
    return encode(marked((64, 48)), "WEBP", quality=90, exif=gps_exif(orientation=1), xmp=XMP)


def animated(fmt: str) -> bytes:
    """Two frames: red, then green. Only the red one may come out."""
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def mpo() -> bytes:
    """A JPEG with a Multi-Picture index, as some phone cameras write; Pillow names it MPO."""
    image = marked((40, 30))
    return encode(image, "MPO", save_all=True, append_images=[image.copy()])


def palette_png_with_transparency() -> bytes:
    image = Image.new("P", (20, 20), 1)
    image.putpalette([0, 0, 0, 255, 255, 0] + [0] * 762)
    return encode(image, "PNG", transparency=0)


def png_16bit_grey() -> bytes:
    return encode(Image.new("I;16", (20, 20), 0x8000), "PNG")


def cmyk_jpeg() -> bytes:
    return encode(Image.new("CMYK", (20, 20), (0, 255, 255, 0)), "JPEG")


def grey_jpeg() -> bytes:
    return encode(Image.new("L", (20, 20), 128), "JPEG")


def sized(fmt: str, size: tuple[int, int]) -> bytes:
    return encode(marked(size), fmt)


def noisy_jpeg(size: tuple[int, int] = (64, 64)) -> bytes:
    return encode(noise(size), "JPEG", quality=95)


# Not images we accept, whatever their names say.
def gif() -> bytes:
    return encode(marked((20, 20)), "GIF")


def bmp() -> bytes:
    return encode(marked((20, 20)), "BMP")


def tiff() -> bytes:
    return encode(marked((20, 20)), "TIFF")


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b"<script>alert(document.cookie)</script><rect width='100' height='100'/></svg>"
)
HTML = b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)>" + PAYLOAD + b"</body></html>"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n%%EOF\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(20) + b"evil.sh" + bytes(40) + b"PK\x05\x06" + bytes(18)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(44) + b"\x80\x00\x00\x00" + bytes(64)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)  # what an iPhone writes by default
EMPTY = b""


# Damaged.
def truncated_jpeg() -> bytes:
    """The first half of a valid JPEG: the headers parse, the scan data stops half-way."""
    data = noisy_jpeg()
    return data[: len(data) // 2]


def jpeg_magic_then_noise() -> bytes:
    return b"\xff\xd8\xff" + random.Random(1).randbytes(4096)


def png_magic_then_noise() -> bytes:
    return PNG_SIGNATURE + random.Random(2).randbytes(4096)


def webp_header_then_noise() -> bytes:
    body = b"WEBPVP8 " + random.Random(3).randbytes(4096)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def truncated_png() -> bytes:
    data = encode(noise((64, 64)), "PNG")
    return data[: len(data) // 2]


def png_with_bad_idat_crc() -> bytes:
    """One flipped bit in the IDAT checksum: Pillow's load() does not look, verify() does."""
    data = bytearray(encode(noise((16, 16)), "PNG"))
    start = data.index(b"IDAT") - 4
    length = struct.unpack(">I", data[start : start + 4])[0]
    data[start + 8 + length] ^= 0x01
    return bytes(data)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with_text_bomb() -> bytes:
    """A zTXt chunk that inflates to 50 MB: a decompression bomb in the metadata rather than the pixels."""
    data = encode(Image.new("RGB", (8, 8)), "PNG")
    bomb = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (50 * 1024 * 1024), 9))
    after_ihdr = len(PNG_SIGNATURE) + 25
    return data[:after_ihdr] + bomb + data[after_ihdr:]


# Decompression bombs.
@functools.cache
def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit greyscale PNG of all-black pixels: width × height pixels in roughly width × height / 8000 bytes.

    Built by hand because Pillow would need a byte a pixel in memory to make it.
    """
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
    compressor = zlib.compressobj(9)
    idat = bytearray()
    for start in range(0, height, 1000):
        idat += compressor.compress(row * min(1000, height - start))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", bytes(idat)) + png_chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small valid JPEG whose frame header (SOF0) claims another size."""
    data = bytearray(encode(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# Accepted, though they pretend or hide something.
def png_named_jpeg() -> bytes:
    return encode(marked((30, 20)), "PNG")


def jpeg_with_appended(payload: bytes) -> bytes:
    """A polyglot: a valid JPEG with something else after its end marker, which viewers ignore."""
    return encode(marked((30, 20)), "JPEG") + payload
