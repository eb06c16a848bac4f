"""The queue and the case page cost the same number of queries at any size."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.supportline import actions
from tests.factories import make_user
from tests.supportline.builders import make_case, make_slot, topic

pytestmark = pytest.mark.django_db


def _cases(n: int, staff, expert):
    from community.forum.models import Topic

    topics = list(Topic.objects.order_by("slug")[:3])
    for i in range(n):
        case = make_case(make_user(role="commissioner"), topics=topics)
        if i % 2:
            actions.triage_case(case=case, actor=staff)
        if i % 4 == 1:
            actions.assign_expert(case=case, actor=staff, expert=expert)


def check_queue_queries(client, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget):
        assert client.get(reverse("supportline:queue")).status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_queue_queries_do_not_grow_with_cases(
    client, staff, expert, size, django_assert_max_num_queries
):
    _cases(size, staff, expert)
    client.force_login(staff)
    check_queue_queries(client, django_assert_max_num_queries, 9)


@pytest.mark.parametrize("size", [1, 15])
def test_case_page_queries_do_not_grow_with_messages(
    client, requester, staff, expert, size, django_assert_max_num_queries
):
    case = make_case(requester)
    actions.triage_case(case=case, actor=staff)
    actions.assign_expert(case=case, actor=staff, expert=expert)
    for i in range(size):
        make_slot(expert, days=3 + i)
        actions.post_message(case=case, author=requester if i % 2 else staff, source=f"Message {i}")
    for person in (requester, staff, expert):
        client.force_login(person)
        with django_assert_max_num_queries(14):
            assert client.get(case.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 10])
def test_triaged_case_page_with_experts_is_a_fixed_cost(
    client, requester, staff, size, django_assert_max_num_queries
):
    from tests.supportline.builders import make_expert

    for _ in range(size):
        make_expert(topics=[topic()])
    case = make_case(requester)
    actions.triage_case(case=case, actor=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(15):
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200 and "Assign an expert" in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_report_queries_do_not_grow(client, staff, expert, size, django_assert_max_num_queries):
    _cases(size, staff, expert)
    client.force_login(staff)
    for by in ("region", "topic", "stage", "month"):
        with django_assert_max_num_queries(8):
            assert client.get(reverse("supportline:report"), {"by": by}).status_code == 200
