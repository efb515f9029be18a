"""Citizens' files made safe to show others. Pure: bytes in, bytes out (no AWS).

A photo carries more than its pixels: EXIF with the GPS position and the time it was taken, the
phone's maker notes and serial numbers, XMP, IPTC, comments. A reporter was identified from exactly that
(JAKI, 2021). So a photo is decoded and re-encoded from its pixels alone: nothing of the original file
but the picture survives. The EXIF orientation is applied first, so the picture still stands upright.

Other files are not rewritten, but they must be what they claim to be (their leading bytes match the
declared type) and within the size limit; anything else is refused rather than served.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

# Formats we re-encode into themselves; the rest of Pillow's readers are not accepted as "photos".
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; decompression bombs are refused before decoding
JPEG_QUALITY = 88
# Leading bytes of the non-image types we accept (offset, bytes).
SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "application/pdf": ((0, b"%PDF-"),),
    "video/mp4": ((4, b"ftyp"),),
    "video/quicktime": ((4, b"ftyp"), (4, b"moov"), (4, b"wide")),
    "video/3gpp": ((4, b"ftyp"),),
    "audio/ogg": ((0, b"OggS"),),
    "audio/mpeg": ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2")),
    "audio/mp4": ((4, b"ftyp"),),
    "audio/aac": ((0, b"\xff\xf1"), (0, b"\xff\xf9")),
    "audio/amr": ((0, b"#!AMR"),),
}


class Refused(ValueError):
    """The file is not what it says, too big, or not decodable: it is not shown to anyone else."""


@dataclass(frozen=True)
class Clean:
    data: bytes
    content_type: str


def is_image(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower().startswith("image/")


def scrub(data: bytes, content_type: str, max_bytes: int) -> Clean:
    """A copy safe to show others: images re-encoded from their pixels, other files checked."""
    declared = content_type.split(";")[0].strip().lower()
    if not data:
        raise Refused("empty file")
    if len(data) > max_bytes:
        raise Refused(f"{len(data)} bytes is over the {max_bytes}-byte limit")
    if is_image(declared):
        return _reencode(data, declared)
    signatures = SIGNATURES.get(declared)
    if signatures is None:
        raise Refused(f"{declared} is not an accepted type")
    if not any(data[offset:offset + len(magic)] == magic for offset, magic in signatures):
        raise Refused(f"the file is not {declared}")
    return Clean(data, declared)


def _reencode(data: bytes, declared: str) -> Clean:
    # Pillow is ~16 modules: paid by the first photo, not by every API cold start.
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as original:
            found = original.format
            mime = Image.MIME.get(found or "", "")
            if mime not in IMAGE_FORMATS:
                raise Refused(f"{found or 'unknown'} images are not accepted")
            if declared in IMAGE_FORMATS and IMAGE_FORMATS[declared] != found and declared != "image/jpg":
                raise Refused(f"declared {declared} but the file is {mime}")
            width, height = original.size
            if width * height > MAX_PIXELS:
                raise Refused(f"{width}x{height} is too many pixels")
            upright = ImageOps.exif_transpose(original)
            pixels = upright.convert(_mode(found, upright.mode))
            # A fresh image from the pixels alone: no info, EXIF, XMP, ICC, comments or maker notes.
            bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise Refused(f"not a readable image: {error}") from None
    out = io.BytesIO()
    if found == "JPEG":
        bare.save(out, "JPEG", quality=JPEG_QUALITY)
    elif found == "WEBP":
        bare.save(out, "WEBP", quality=JPEG_QUALITY)
    else:
        bare.save(out, found)  # PNG, GIF (first frame)
    return Clean(out.getvalue(), mime)


def _mode(found: str | None, mode: str) -> str:
    if found == "JPEG":
        return "L" if mode in ("1", "L") else "RGB"
    return "RGBA" if mode in ("RGBA", "LA", "P", "PA") else ("L" if mode in ("1", "L") else "RGB")
