"""The dashboard, the printable report and the CSV pack through the real HTTP client:
who may see what, the query budget, the pack's CSVs, bad input, and what never appears."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiKey
from community.forum.models import Status
from community.insight.filters import last_complete_quarter, quarter_bounds
from community.moderation.models import Flag
from community.supportline.models import ConsultationRequest
from tests.factories import make_user, private_group

from .builders import authority_in, days_ago, member, region, reply, thread, topics

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("insight:dashboard")
REPORT = reverse("insight:report")
PACK = reverse("insight:report_pack")
PATHS = [DASHBOARD, REPORT, PACK]


def pack_files(response) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as pack:
        return {
            name: list(csv.reader(io.StringIO(pack.read(name).decode("utf-8"))))
            for name in pack.namelist()
        }


@pytest.fixture
def activity():
    """Seven London practitioners each start a thread with a reply; a North West one starts
    two; a young person and a private group's thread; a held and a hidden post; a flag."""
    a, b, _c = topics()
    london = [member(display_name=f"Zed Londoner {i}") for i in range(7)]
    for author in london:
        thread(author, topic=a, replies=[(london[0], timedelta(minutes=20))])
    north = member(region_slug="north-west", display_name="Nia Northerner")
    thread(north, topic=b)
    thread(north, topic=b)
    thread(london[1], topic=a, space=private_group(), title="Private pilot plans")
    held = thread(london[2], topic=a, status=Status.HELD, title="Held thread title")
    reply(held, london[3], status=Status.HIDDEN)
    young = member("young_person", age_band="13-15", display_name="Yasmin Young")
    thread(young, topic=a, title="Young person's question")
    Flag.objects.create(post=held.posts.get(number=1), flagger=london[4], reason="spam",
                        created_at=days_ago(1))  # fmt: skip
    ConsultationRequest.objects.create(
        reference="SL-2026-99999", requester=london[5], organisation="Secret Hub Org",
        region=region("london"), stage="delivering", question="A private question",
        question_html="<p>A private question</p>", created_at=days_ago(3),
        first_response_due_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    return {"topic_a": a, "topic_b": b, "london": london}


@pytest.mark.parametrize(
    "who",
    ["anonymous", "practitioner", "commissioner", "parent_carer", "young_person", "expert",
     "minor_staff", "suspended_staff"],
)  # fmt: skip
def test_nobody_but_staff_and_moderators_reaches_any_insight_path(client, who):
    if who == "minor_staff":
        client.force_login(make_user("staff", age_band="16-17"))
    elif who == "suspended_staff":
        client.force_login(make_user("staff", suspended_until=timezone.now() + timedelta(days=1)))
    elif who != "anonymous":
        client.force_login(make_user(who, age_band="13-15" if who == "young_person" else "26+"))

    for path in PATHS:
        assert client.get(path).status_code == 404, path


def test_a_staff_api_key_does_not_open_insight(client):
    staff = make_user("staff")
    key = ApiKey(description="staff key", user=staff, scope="read")
    secret = key.set_new_key()
    key.save()
    headers = {"Api-Key": secret, "Api-Username": staff.username}

    for path in [*PATHS, "/insight.json", "/insight/report.json"]:
        assert client.get(path, headers=headers).status_code == 404, path


def test_moderators_see_the_safety_section_only_on_every_path(client, activity):
    client.force_login(make_user("moderator"))

    page = client.get(DASHBOARD).content.decode()
    assert "Flags by reason" in page
    assert "Providers say" not in page and "Threads and replies" not in page

    report = client.get(REPORT).content.decode()
    assert "Appeals and their outcomes" in report and "Families say" not in report

    files = pack_files(client.get(PACK))
    data_files = {name for name in files if name not in ("about.csv", "definitions.csv")}
    assert data_files and all(name.startswith("safety.") for name in data_files)


def test_staff_see_every_section_with_the_figures_built(client, activity):
    client.force_login(make_user("staff"))

    response = client.get(DASHBOARD)

    page = response.content.decode()
    for section in ["Providers say", "Families say", "Evidence", "Services", "Safety"]:
        assert f">{section}</h2>" in page
    assert response["Cache-Control"] == "private, no-store"
    sections = {s.key: s for s in response.context["sections"]}
    by_topic = next(f for f in sections["providers"].figures if f.measure.key.endswith("by_topic"))
    row = {r.label: [c.display for c in r.cells] for r in by_topic.table.rows}
    # 8 threads in topic a (7 + the private group's), 7 replies; topic b: 2 threads, none.
    # Topic b's figures are under 5, and the total would give them away from topic a's:
    # so topic a's are withheld, and the totals stand.
    assert row[activity["topic_a"].name] == ["withheld", "withheld"]
    assert row[activity["topic_b"].name] == ["fewer than 5", "fewer than 5"]
    assert [c.display for c in by_topic.table.totals] == ["10", "7"]


def test_no_names_titles_of_private_or_held_threads_or_case_details_appear(client, activity):
    client.force_login(make_user("staff"))

    texts = [client.get(DASHBOARD).content.decode(), client.get(REPORT).content.decode()]
    pack = pack_files(client.get(PACK))
    texts += ["\n".join(",".join(row) for row in rows) for rows in pack.values()]

    for text in texts:
        for secret in ["Zed Londoner", "Nia Northerner", "Yasmin Young", "Private pilot plans",
                       "Held thread title", "Young person's question", "SL-2026-99999",
                       "Secret Hub Org", "A private question"]:  # fmt: skip
            assert secret not in text


def test_with_a_local_authority_chosen_no_young_persons_figure_is_shown(client, activity):
    client.force_login(make_user("staff"))
    camden = authority_in("london")

    response = client.get(DASHBOARD, {"local_authority": camden.pk})

    sections = {s.key: s for s in response.context["sections"]}
    families = {f.measure.key: f for f in sections["families"].figures}
    assert "Young person" not in families["families.posts_by_topic"].table.columns
    assert families["families.young_people"].table.rows == []


def test_young_people_and_a_local_authority_together_are_refused_with_a_clear_error(client):
    client.force_login(make_user("staff"))

    response = client.get(
        DASHBOARD, {"role": "young_person", "local_authority": authority_in("london").pk}
    )

    assert response.status_code == 200
    assert "go no finer than region" in response.content.decode()
    assert response.context["filters"].local_authority is None


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-45"},
        {"start": "2026-06-01", "end": "2026-01-01"},
        {"region": "99999"},
        {"quarter": "2026-Q9"},
        {"topic": "not-a-number"},
        {"start": "1900-01-01", "end": "2026-01-01"},
    ],
)
def test_bad_filters_show_an_error_and_the_default_figures_never_a_500(client, params):
    client.force_login(make_user("staff"))

    for path in PATHS:
        response = client.get(path, params)
        assert response.status_code == 200, path
    assert "There is a problem" in client.get(DASHBOARD, params).content.decode()


def test_the_report_defaults_to_the_last_complete_quarter_and_its_pack_parses(client, activity):
    client.force_login(make_user("staff"))
    quarter = last_complete_quarter(timezone.localdate())
    start, end = quarter_bounds(quarter)

    report = client.get(REPORT).content.decode()
    assert f"{start:%-d %B %Y} to {end:%-d %B %Y}" in report
    assert "fewer than 5" in report and "Definitions" in report

    response = client.get(PACK)
    assert response["Content-Type"] == "application/zip"
    assert f"insight-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.zip" in response["Content-Disposition"]
    files = pack_files(response)
    about = dict(files["about.csv"][1:])
    assert about["Period"] == f"{start:%-d %B %Y} to {end:%-d %B %Y}"
    assert "fewer than 5" in about["Suppression"]
    definitions = files["definitions.csv"]
    assert definitions[0][:5] == ["File", "Section", "Measure", "Definition", "Status"]
    statuses = {row[2]: row[4] for row in definitions[1:]}
    assert statuses["Poll participation by practice topic"] == "collected"
    assert statuses["Resource views and downloads"] == "not yet collected"
    # Every collected measure has its file; every file parses with its header first.
    for row in definitions[1:]:
        if row[4] == "collected":
            assert files[row[0]][0], row


def test_the_pack_holds_the_dashboards_figures_for_the_same_filters(client, activity):
    client.force_login(make_user("staff"))
    params = {"start": (timezone.localdate() - timedelta(days=30)).isoformat(),
              "end": timezone.localdate().isoformat()}  # fmt: skip

    page = client.get(DASHBOARD, params)
    files = pack_files(client.get(PACK, params))

    by_topic = files["providers.threads_by_topic.csv"]
    assert by_topic[0] == ["Practice topic", "Threads started", "Replies"]
    rows = {r[0]: r[1:] for r in by_topic[1:]}
    assert rows[activity["topic_a"].name] == ["withheld", "withheld"]
    assert rows[activity["topic_b"].name] == ["fewer than 5", "fewer than 5"]
    assert by_topic[-1] == ["Total", "10", "7"]
    # The same suppression as the page: no figure under 5 anywhere in the pack.
    for name, data in files.items():
        if name in ("about.csv", "definitions.csv"):
            continue
        for row in data[1:]:
            for value in row[1:]:
                assert not value.isdigit() or int(value) >= 5, (name, row)
    sections = {s.key: s for s in page.context["sections"]}
    figure = next(f for f in sections["providers"].figures if f.measure.key.endswith("by_topic"))
    assert [r.label for r in figure.table.rows] == [r[0] for r in by_topic[1:-1]]


def test_measures_not_collected_say_so_and_show_no_number(client):
    client.force_login(make_user("staff"))

    page = client.get(DASHBOARD).content.decode()

    block = page[page.index('id="evidence-views"') :]
    block = block[: block.index("</section>")]
    assert "Not yet collected." in block
    assert not any(ch.isdigit() for ch in block.split("</h3>", 1)[1])


def test_the_navigation_links_staff_and_moderators_only(client):
    for role, shown in [("staff", True), ("moderator", True), ("practitioner", False)]:
        client.force_login(make_user(role))
        page = client.get(reverse("forum:latest")).content.decode()
        assert (f'href="{DASHBOARD}"' in page) is shown, role


def _seed(size: int) -> None:
    a = topics()[0]
    for i in range(size):
        author = member(region_slug=["london", "north-west"][i % 2])
        t = thread(author, topic=a)
        reply(t, author)
        Flag.objects.create(post=t.posts.get(number=1), flagger=make_user(), reason="spam",
                            created_at=days_ago(1))  # fmt: skip


@pytest.mark.parametrize("path", [DASHBOARD, PACK])
def test_query_count_does_not_grow_with_activity(client, django_assert_num_queries, path):
    staff = make_user("staff")
    client.force_login(staff)
    params = {"region": region("london").pk, "topic": topics()[0].pk}
    client.get(path, params)  # warm the session and caches

    _seed(3)
    with django_assert_num_queries(QUERIES[path]):
        assert client.get(path, params).status_code == 200
    _seed(12)
    with django_assert_num_queries(QUERIES[path]):
        assert client.get(path, params).status_code == 200


QUERIES = {DASHBOARD: 30, PACK: 27}  # session and member come from the cache; one a measure
