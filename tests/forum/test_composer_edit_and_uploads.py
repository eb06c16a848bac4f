"""The edit page's composer (the same partial and script as replying), and files pasted or
dropped into the composer: uploaded at once, named in the text as `upload://`, refused clearly."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from community.forum import actions
from community.forum.models import Attachment
from tests.factories import make_moderator, make_thread, make_user, national, private_group

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _png(name: str = "Screenshot 2026-11-30.png", size=(1600, 900)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "#336699").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _upload(client, file):
    return client.post(reverse("forum:upload"), {"file": file}, **JSON)


# ---- the edit page ---------------------------------------------------------------------------


def test_the_edit_page_is_the_same_composer_as_replying():
    member = make_user()
    thread = make_thread(author=member)
    post = actions.create_post(author=member, thread=thread, source="Words to improve later")
    page = _client(member).get(reverse("forum:edit_post", args=[post.pk])).content.decode()
    form = re.search(r"<form [^>]*data-composer[^>]*>.*?</form>", page, re.DOTALL).group(0)
    assert f'action="{reverse("forum:edit_post", args=[post.pk])}"' in form
    assert 'formaction="/compose/preview/"' in form and "data-composer-preview" in form
    assert f'<input type="hidden" name="post" value="{post.pk}">' in form
    assert "data-composer-save" not in form  # an edit keeps no draft
    assert "Words to improve later" in form
    assert "data-preview-panel hidden" in page
    assert "js/composer.js" in page
    reply_page = _client(member).get(reverse("forum:reply", args=[thread.pk])).content.decode()
    # The same partial: the same preview panel and buttons.
    for part in ("data-composer-preview>Preview</button>", 'class="composer-preview"'):
        assert part in page and part in reply_page


def test_edit_preview_without_javascript_comes_back_with_the_text_kept():
    member = make_user()
    thread = make_thread(author=member)
    post = actions.create_post(author=member, thread=thread, source="Words to improve later")
    response = _client(member).post(
        reverse("forum:preview"),
        {"post": post.pk, "source": "Now with **bold** words", "reason": "clearer"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>bold</strong>" in page and "Now with **bold** words" in page
    assert 'value="clearer"' in page
    assert "Edit post #2" in page
    post.refresh_from_db()
    assert post.source == "Words to improve later"  # a preview writes nothing


def test_edit_preview_of_the_opening_post_keeps_the_thread_fields():
    member = make_user()
    thread = make_thread(author=member, title="The first title of it")
    post = thread.posts.get(number=1)
    response = _client(member).post(
        reverse("forum:preview"),
        {"post": post.pk, "source": "A _better_ opening", "thread-title": "A better title here"},
    )
    page = response.content.decode()
    assert "<em>better</em>" in page and 'value="A better title here"' in page


def test_edit_preview_in_place_renders_as_saving_would():
    member = make_user()
    thread = make_thread(author=member)
    post = actions.create_post(author=member, thread=thread, source="Words to improve later")
    response = _client(member).post(
        reverse("forum:preview"), {"post": post.pk, "source": "Now _better_ words"}, **JSON
    )
    assert response.status_code == 200
    saved = actions.edit_post(editor=member, post=post, source="Now _better_ words")
    assert response.json()["html"] == saved.html


def test_edit_preview_is_refused_to_members_who_may_not_edit_or_read_the_post():
    author = make_user()
    post = actions.create_post(author=author, thread=make_thread(), source="Mine to edit only")
    response = _client(make_user()).post(
        reverse("forum:preview"), {"post": post.pk, "source": "Not yours"}, **JSON
    )
    assert response.status_code == 403
    secret = make_thread(author=author, space=private_group()).posts.get(number=1)
    response = _client(make_user()).post(
        reverse("forum:preview"), {"post": secret.pk, "source": "Not yours"}, **JSON
    )
    assert response.status_code == 404  # never confirm a private post exists


def test_edit_page_saves_without_javascript():
    member = make_user()
    post = actions.create_post(author=member, thread=make_thread(), source="Words to improve")
    response = _client(member).post(
        reverse("forum:edit_post", args=[post.pk]), {"source": "Improved words", "reason": ""}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.source == "Improved words"


# ---- pasted and dropped files ----------------------------------------------------------------


def test_a_pasted_image_uploads_and_posts_inline_with_its_alt_text():
    member = make_user()
    client = _client(member)
    answer = _upload(client, _png())
    assert answer.status_code == 200, answer.content
    body = answer.json()
    stored = Attachment.objects.get(uploader=member)
    assert body["markdown"] == f"![Screenshot 2026 11 30](upload://{stored.pk}.png)"
    assert (body["width"], body["height"]) == (1600, 900)
    assert stored.post is None

    # Until a post holds it, only its uploader may see it (their preview shows it).
    assert client.get(stored.get_absolute_url()).status_code == 200
    assert _client(make_user()).get(stored.get_absolute_url()).status_code == 404
    thread = make_thread(space=national())
    source = f"Here is our timetable:\n\n{body['markdown']}\n\nThoughts?"
    preview = client.post(reverse("forum:preview"), {"thread": thread.pk, "source": source}, **JSON)
    assert (
        f'<img src="{stored.get_absolute_url()}" alt="Screenshot 2026 11 30">'
        in (preview.json()["html"])
    )

    response = client.post(reverse("forum:reply", args=[thread.pk]), {"source": source})
    assert response.status_code == 302, response.content.decode()
    stored.refresh_from_db()
    assert stored.post is not None
    page = _client(make_user()).get(thread.post_url(2)).content.decode()
    assert f'<img src="{stored.get_absolute_url()}" alt="Screenshot 2026 11 30">' in page
    assert 'class="attachments"' not in page  # shown in the text, not listed again
    assert _client(make_user()).get(stored.get_absolute_url()).status_code == 200


def test_a_pasted_image_goes_into_an_edit_too():
    member = make_user()
    client = _client(member)
    post = actions.create_post(author=member, thread=make_thread(), source="Before the picture")
    markdown = _upload(client, _png("plan.png")).json()["markdown"]
    client.post(reverse("forum:edit_post", args=[post.pk]), {"source": f"With it:\n\n{markdown}"})
    post.refresh_from_db()
    assert '<img src="/uploads/' in post.html and 'alt="plan"' in post.html


def test_a_dropped_pdf_goes_in_as_a_link():
    pdf = SimpleUploadedFile("Timetable.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    body = _upload(_client(make_user()), pdf).json()
    assert re.fullmatch(r"\[Timetable\.pdf\]\(upload://\d+\.pdf\)", body["markdown"])


def test_a_file_too_big_is_refused_with_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = _upload(_client(make_user()), _png())
    assert response.status_code == 400
    assert "is too large" in response.json()["errors"][0]
    assert not Attachment.objects.exists()


def test_a_file_of_the_wrong_type_is_refused_clearly():
    fake = SimpleUploadedFile("cat.png", b"<script>alert(1)</script>", content_type="image/png")
    response = _upload(_client(make_user()), fake)
    assert response.status_code == 400
    assert "is not an image or a PDF" in response.json()["errors"][0]


def test_a_young_person_cannot_upload_and_is_told_why():
    child = make_user(age_band="13-15")
    response = _upload(_client(child), _png())
    assert response.status_code == 400
    assert "Members under 18 cannot attach files" in response.json()["errors"][0]
    assert not Attachment.objects.exists()


def test_a_silenced_member_cannot_upload():
    from datetime import timedelta

    from django.utils import timezone

    member = make_user(silenced_until=timezone.now() + timedelta(days=1))
    response = _upload(_client(member), _png())
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_uploads_are_rate_limited(monkeypatch):
    monkeypatch.setattr(actions, "UPLOADS_PER_HOUR", 2)
    client = _client(make_user())
    assert [_upload(client, _png(f"p{i}.png", (20, 20))).status_code for i in range(3)] == [
        200,
        200,
        429,
    ]
    assert "Please wait" in _upload(client, _png("again.png", (20, 20))).json()["errors"][0]


def test_visitors_cannot_upload(client):
    response = client.post(reverse("forum:upload"), {"file": _png()})
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_upload_cannot_be_shown_in_someone_elses_post():
    owner, other = make_user(), make_user()
    markdown = _upload(_client(owner), _png()).json()["markdown"]
    response = _client(other).post(
        reverse("forum:reply", args=[make_thread().pk]), {"source": f"Look: {markdown}"}
    )
    assert response.status_code == 400
    assert "is not a file you uploaded" in response.content.decode()


def test_new_members_may_show_their_own_uploads_in_the_text():
    """As they may attach them: screening's "no links or images yet" is about other sites."""
    member = make_user(trust_level=0)
    client = _client(member)
    markdown = _upload(client, _png()).json()["markdown"]
    thread = make_thread(space=national())
    response = client.post(
        reverse("forum:preview"), {"thread": thread.pk, "source": f"Ours:\n\n{markdown}"}, **JSON
    )
    assert response.status_code == 200 and response.json()["errors"] == []
    assert '<img src="/uploads/' in response.json()["html"]


def test_new_members_still_cannot_show_images_from_elsewhere():
    member = make_user(trust_level=0)
    response = _client(member).post(
        reverse("forum:reply", args=[make_thread().pk]),
        {"source": "Look ![x](//evil.example/x.png) and [y](//evil.example/)"},
    )
    assert response.status_code == 400
    assert "can&#x27;t post links or images yet" in response.content.decode()


def test_moderator_edit_with_own_upload_is_held_by_the_post():
    moderator = make_moderator()
    post = actions.create_post(author=make_user(), thread=make_thread(), source="Needs a chart")
    markdown = _upload(_client(moderator), _png("chart.png")).json()["markdown"]
    _client(moderator).post(
        reverse("forum:edit_post", args=[post.pk]), {"source": f"Chart:\n\n{markdown}"}
    )
    assert Attachment.objects.get(uploader=moderator).post_id == post.pk
