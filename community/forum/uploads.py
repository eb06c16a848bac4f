"""Check uploads by their content and re-encode images, before anything is stored."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "GIF": ("image/png", "png"), "WEBP": ("image/webp", "webp")}  # fmt: skip
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 2400


@dataclass(frozen=True)
class PreparedUpload:
    kind: str
    name: str
    content_type: str
    content: bytes
    width: int | None = None
    height: int | None = None


def prepare_upload(upload: UploadedFile) -> PreparedUpload:
    """Accept an image or a PDF by what its bytes are, never by its name.

    Images are decoded and saved afresh, which drops EXIF, GPS and anything hidden
    after the picture.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size and upload.size > limit:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("%(name)s is too large.") % {"name": upload.name})
    stem = PurePath(get_valid_filename(upload.name or "upload") or "upload").stem[:80] or "upload"
    kind = filetype.guess(data)
    if kind is not None and kind.mime == "application/pdf" and data.startswith(b"%PDF-"):
        return PreparedUpload("pdf", f"{stem}.pdf", "application/pdf", data)
    if kind is None or not kind.mime.startswith("image/"):
        raise ValidationError(
            _(
                "%(name)s is not an image or a PDF. You can attach JPEG, PNG, GIF or WebP images and PDFs."
            )
            % {"name": upload.name}
        )
    return _reencode_image(data, stem, upload.name)


def _reencode_image(data: bytes, stem: str, original_name: str) -> PreparedUpload:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in IMAGE_FORMATS:
            raise ValidationError(
                _("%(name)s is an image type we do not accept.") % {"name": original_name}
            )
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(
            _("%(name)s could not be read as an image.") % {"name": original_name}
        ) from exc
    content_type, extension = IMAGE_FORMATS[image.format]
    fmt = "PNG" if image.format == "GIF" else image.format
    image = ImageOps.exif_transpose(image)  # keep the orientation the photo was taken in
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if fmt == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    out = io.BytesIO()
    save_options = (
        {"quality": 85, "optimize": True} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    )
    image.save(out, format=fmt, **save_options)  # no exif= argument: metadata is not carried over
    return PreparedUpload(
        "image", f"{stem}.{extension}", content_type, out.getvalue(), image.width, image.height
    )


# A file uploaded before its post (API clients: POST /uploads.json, then the post's Markdown
# names it by the short URL it was given, as Discourse's clients do: `![name|640x480](upload://12.png)`).
UPLOAD_REFERENCE_RE = re.compile(r"upload://(\d{1,10})(?:\.[A-Za-z0-9]{1,5})?")
# Discourse writes an image's size after a bar in its alt text; the alt text is for people.
_DISCOURSE_ALT_SIZE_RE = re.compile(r"(!\[[^\]|]*)\|\d+x\d+(?:,\s*\d+%)?(\]\(upload://)")


def upload_references(source: str) -> list[int]:
    """The ids of stored uploads a post's Markdown names as `upload://<id>`, in order."""
    return list(dict.fromkeys(int(m.group(1)) for m in UPLOAD_REFERENCE_RE.finditer(source or "")))


def resolve_upload_references(source: str, urls: dict[int, str]) -> str:
    """The Markdown with each `upload://<id>` replaced by where the site serves that file."""
    source = _DISCOURSE_ALT_SIZE_RE.sub(r"\1\2", source)
    return UPLOAD_REFERENCE_RE.sub(lambda m: urls.get(int(m.group(1)), m.group(0)), source)
