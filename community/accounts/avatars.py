"""Members' pictures: initials drawn as SVG by default, or a photo an adult uploaded.

Members under 18 always show their initials (the rule is asked here, where every avatar is
drawn, as well as in actions.set_avatar). Everything needed comes with the member's row, so
an avatar beside each post costs no query.
"""

from __future__ import annotations

import io
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_SIDE = 240
MAX_PIXELS = 40_000_000

# Backgrounds for white initials, each at least 4.5:1 against white (tests/accounts check it).
PALETTE = (
    "#1d70b8", "#00703c", "#4c2c92", "#912b88", "#942514",
    "#005a30", "#003078", "#505a5f", "#6f3c1d", "#0b5561",
)  # fmt: skip


def initials(name: str) -> str:
    """Up to two letters: the first of the first and last words ("Asha Patel" -> "AP")."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in name or "").split() if w]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def colour_for(member_id: int | None) -> str:
    """The same colour for a member on every page (from their id, never their name)."""
    return PALETTE[zlib.crc32(str(member_id or 0).encode()) % len(PALETTE)]


def colour_for_name(name: str) -> str:
    """For a name with no member row at hand (a list's last poster)."""
    return PALETTE[zlib.crc32((name or "").encode()) % len(PALETTE)]


def shows_photo(member) -> bool:
    return bool(getattr(member, "avatar", None)) and not member.is_minor


def photo_url(member) -> str:
    name = member.avatar.name.rsplit("/", 1)[-1]
    return reverse("accounts:avatar_photo", args=[member.pk, name])


def initials_svg(text: str, colour: str, size: int) -> SafeString:
    return mark_safe(
        f'<svg class="avatar" width="{size}" height="{size}" viewBox="0 0 40 40" '
        f'aria-hidden="true" focusable="false"><rect width="40" height="40" rx="20" '
        f'fill="{colour}"/><text x="20" y="20" dy=".35em" text-anchor="middle" '
        f'font-size="16" font-family="system-ui, sans-serif" font-weight="700" '
        f'fill="#ffffff">{escape(text)}</text></svg>'
    )


def avatar_html(member, size: int = 40) -> SafeString:
    """The member's picture, decorative: their name is always written beside it."""
    if shows_photo(member):
        return mark_safe(
            f'<img class="avatar" src="{escape(photo_url(member))}" alt="" width="{size}" '
            f'height="{size}" loading="lazy">'
        )
    return initials_svg(
        initials(member.display_name or member.username), colour_for(member.pk), size
    )


def avatar_for_name(name: str, size: int = 32) -> SafeString:
    return initials_svg(initials(name), colour_for_name(name), size)


def prepare_avatar(upload: UploadedFile) -> bytes:
    """A square JPEG of AVATAR_SIDE pixels, decoded and saved afresh (no EXIF, no GPS)."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size and upload.size > limit:
        raise ValidationError(
            {"photo": _("That file is too large; the limit is %(limit)s.")
             % {"limit": filesizeformat(limit)}}
        )  # fmt: skip
    data = upload.read(limit + 1)
    not_an_image = ValidationError(
        {"photo": _("That file is not a picture we can use. Choose a JPEG, PNG, GIF or WebP photo.")}
    )  # fmt: skip
    if len(data) > limit:
        raise ValidationError({"photo": _("That file is too large.")})
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in ("JPEG", "PNG", "GIF", "WEBP"):
            raise not_an_image
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise not_an_image from exc
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "#ffffff")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = ImageOps.fit(image, (AVATAR_SIDE, AVATAR_SIDE), method=Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif=: nothing carried over
    return out.getvalue()
