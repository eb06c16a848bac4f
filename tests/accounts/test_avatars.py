"""Avatars: initials for everyone by default, a cleaned photo for adults who want one."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from community.accounts import actions
from community.accounts.avatars import PALETTE, avatar_html, colour_for, initials
from tests.factories import make_moderator, make_thread, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _photo(size=(800, 600), with_gps=True) -> SimpleUploadedFile:
    image = Image.new("RGB", size, "#4477aa")
    exif = Image.Exif()
    if with_gps:
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("me.jpg", out.getvalue(), content_type="image/jpeg")


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_initials_colour_has_enough_contrast_with_white_text():
    for colour in PALETTE:
        assert (1.05) / (_luminance(colour) + 0.05) >= 4.5, colour


def test_initials_and_colour_are_stable():
    assert initials("Asha Patel") == "AP"
    assert initials("bea") == "B"
    assert initials("Jean-Luc O'Brien") == "JB"
    assert initials("") == "?"
    assert colour_for(42) == colour_for(42)
    assert len({colour_for(n) for n in range(50)}) > 3


def test_an_adults_photo_is_squared_resized_and_stripped_of_metadata():
    member = make_user()
    actions.set_avatar(user=member, upload=_photo())
    member.refresh_from_db()
    with member.avatar.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert stored.format == "JPEG"
        assert stored.size == (240, 240)
        assert not stored.getexif()
    assert 'class="avatar" src="' in avatar_html(member)


def test_a_file_that_is_not_a_picture_is_refused_with_a_clear_error():
    member = make_user()
    with pytest.raises(ValidationError) as caught:
        actions.set_avatar(
            user=member, upload=SimpleUploadedFile("me.jpg", b"%PDF-1.4 not a photo")
        )
    assert "not a picture we can use" in caught.value.message_dict["photo"][0]
    member.refresh_from_db()
    assert not member.avatar


def test_a_child_cannot_set_a_photo():
    child = make_user(role="young_person", age_band="13-15")
    with pytest.raises(PermissionDenied):
        actions.set_avatar(user=child, upload=_photo())
    child.refresh_from_db()
    assert not child.avatar


def test_a_child_shows_initials_even_with_a_photo_stored():
    """A member who set a photo and whose age band is then corrected to under 18."""
    member = make_user(display_name="Kit Young")
    actions.set_avatar(user=member, upload=_photo())
    member.refresh_from_db()
    member.age_band = "16-17"
    member.save()
    html = avatar_html(member)
    assert "<svg" in html and ">KY</text>" in html and "<img" not in html
    name = member.avatar.name.rsplit("/", 1)[-1]
    url = reverse("accounts:avatar_photo", args=[member.pk, name])
    assert Client().get(url).status_code == 404
    moderator = Client()
    moderator.force_login(make_moderator())
    assert moderator.get(url).status_code == 404


def test_the_picture_page_uploads_and_refuses_through_the_form():
    member = make_user()
    client = Client()
    client.force_login(member)
    bad = client.post(
        reverse("accounts:avatar"), {"photo": SimpleUploadedFile("x.png", b"not an image")}
    )
    assert bad.status_code == 400
    assert "not a picture we can use" in bad.content.decode()
    assert "Error:" in bad.content.decode()
    good = client.post(reverse("accounts:avatar"), {"photo": _photo()})
    assert good.status_code == 302
    member.refresh_from_db()
    url = reverse("accounts:avatar_photo", args=[member.pk, member.avatar.name.rsplit("/", 1)[-1]])
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.post(reverse("accounts:avatar"), {"remove": "1"})
    member.refresh_from_db()
    assert not member.avatar
    assert Client().get(url).status_code == 404


def test_the_picture_page_tells_a_child_why_there_is_no_upload():
    child = make_user(role="young_person", age_band="13-15")
    client = Client()
    client.force_login(child)
    page = client.get(reverse("accounts:avatar")).content.decode()
    assert "Members under 18 show their initials" in page
    assert 'type="file"' not in page
    refused = client.post(reverse("accounts:avatar"), {"photo": _photo()})
    assert refused.status_code == 400
    child.refresh_from_db()
    assert not child.avatar


def test_avatars_cost_no_query_per_post(django_assert_max_num_queries):
    from tests.factories import bulk_replies

    thread = make_thread()
    photographer = make_user()
    actions.set_avatar(user=photographer, upload=_photo())
    bulk_replies(thread, 19, author=photographer)
    reader = Client()
    reader.force_login(make_user())
    url = thread.get_absolute_url() + "?page=1"
    reader.get(url)
    with django_assert_max_num_queries(3):
        page = reader.get(url).content.decode()
    assert page.count('class="avatar" src="') == 19


def test_erasing_a_member_removes_their_photo_and_exports_list_it():
    from community.forum import actions as forum_actions
    from community.privacy.erasure import erase_member
    from community.privacy.export import member_data

    member = make_user()
    actions.set_avatar(user=member, upload=_photo())
    member.refresh_from_db()
    forum_actions.save_draft(author=member, thread=make_thread(), source="Not sent yet")
    data = member_data(member)
    assert data["other"]["has_a_photo"] is True
    assert data["other"]["unsent_drafts"][0]["source"] == "Not sent yet"
    storage, name = member.avatar.storage, member.avatar.name
    assert storage.exists(name)
    erase_member(member)
    assert not storage.exists(name)
