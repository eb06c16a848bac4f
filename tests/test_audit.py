"""The three append-only logs share one abstract model and are read one way."""

from __future__ import annotations

import pytest

from community.audit import AuditEntry, read_trail
from community.library import actions as library_actions
from community.library.models import LogEntry
from community.moderation import actions as moderation_actions
from community.moderation.models import ModerationLog
from community.supportline.models import CaseEvent
from tests.factories import make_moderator, make_thread, make_user
from tests.library.conftest import resource_fields
from tests.supportline.builders import make_case

pytestmark = pytest.mark.django_db


def test_every_log_is_an_append_only_audit_entry_read_the_same_way():
    moderator = make_moderator()
    moderation_actions.set_slow_mode(actor=moderator, thread=make_thread(), seconds=600)
    owner = make_moderator()  # centre staff and moderators add resources
    library_actions.create_resource(actor=owner, **resource_fields())
    requester = make_user()
    make_case(requester)
    logs = {
        "moderation": (ModerationLog, moderator),
        "library": (LogEntry, owner),
        "supportline": (CaseEvent, requester),
    }
    for name, (model, actor) in logs.items():
        assert issubclass(model, AuditEntry)
        entries = model.objects.select_related("actor").order_by("pk")
        records = read_trail(entries)
        assert records and all(r.log == name for r in records)
        assert records[0].actor == actor and records[0].action and records[0].when
        entry = entries.first()
        with pytest.raises(ValueError, match="append-only"):
            entry.save()
        with pytest.raises(ValueError, match="append-only"):
            entry.delete()
