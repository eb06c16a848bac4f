"""`among`: a filter on many ids that binds them as one array on PostgreSQL."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.sqlarrays import among
from tests.factories import make_user


def test_among_keeps_the_rows_an_in_filter_keeps(db):
    members = [make_user() for _ in range(5)]
    User = get_user_model()
    wanted = [members[0].pk, members[3].pk, 10**12]  # one id that matches nobody
    with CaptureQueriesContext(connection) as ctx:
        got = sorted(User.objects.filter(among("pk", wanted)).values_list("pk", flat=True))
    assert got == sorted(User.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert got == sorted([members[0].pk, members[3].pk])
    assert list(User.objects.filter(among("pk", []))) == []
    if connection.vendor == "postgresql":
        assert "= ANY(" in ctx.captured_queries[0]["sql"]
