import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from community.forum.uploads import prepare_upload


def _image_bytes(fmt: str, size=(10, 10), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format=fmt, **save)
    return buffer.getvalue()


def test_pdf_is_accepted_by_its_content():
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    prepared = prepare_upload(SimpleUploadedFile("report.bin", pdf))
    assert (prepared.kind, prepared.name, prepared.content_type) == (
        "pdf",
        "report.pdf",
        "application/pdf",
    )


def test_a_script_named_like_an_image_is_refused():
    with pytest.raises(ValidationError, match="not an image or a PDF"):
        prepare_upload(SimpleUploadedFile("cat.jpg", b"<script>alert(1)</script>"))


def test_oversized_files_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="too large"):
        prepare_upload(SimpleUploadedFile("big.png", _image_bytes("PNG", size=(200, 200))))


def test_truncated_image_is_refused():
    data = _image_bytes("PNG", size=(50, 50))[:60]
    with pytest.raises(ValidationError):
        prepare_upload(SimpleUploadedFile("broken.png", data))


def test_gif_becomes_png_and_large_images_are_scaled_down():
    prepared = prepare_upload(SimpleUploadedFile("anim.gif", _image_bytes("GIF")))
    assert prepared.content_type == "image/png" and prepared.name == "anim.png"
    big = prepare_upload(SimpleUploadedFile("big.jpg", _image_bytes("JPEG", size=(5000, 100))))
    assert big.width == 2400


def test_gps_exif_is_dropped():
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    data = _image_bytes("JPEG", exif=exif.tobytes())
    prepared = prepare_upload(SimpleUploadedFile("p.jpg", data))
    assert b"PhoneMaker" not in prepared.content
    assert not Image.open(io.BytesIO(prepared.content)).getexif()
