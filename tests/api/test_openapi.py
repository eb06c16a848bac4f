"""Walk Discourse's own OpenAPI document and hold every operation to its response schema.

For each operation the walker builds a request from the document (path parameters from
seeded objects, required query parameters and body fields from the document's schema and
examples), calls our server with an API key, and validates the answer with a JSON Schema
validator against the document's response schema, resolving `$ref`s from the document.
Operations that cannot apply to this network answer a JSON error that says so (501,
`error_type` "not_applicable") and are counted apart. The counts are printed.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from api import serializers
from api.models import ApiKey
from community.conversations.actions import start_conversation
from community.forum import actions
from tests import factories as f

pytestmark = pytest.mark.django_db

SPEC_PATH = Path(__file__).resolve().parents[2] / "api" / "spec" / "openapi.json"
SPEC = json.loads(SPEC_PATH.read_text())
DOCUMENT = "urn:discourse-openapi"
REGISTRY = Registry().with_resource(DOCUMENT, DRAFT202012.create_resource(SPEC))
METHODS = ("get", "post", "put", "delete", "patch")


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, "PNG")
    return out.getvalue()


def operations() -> list[tuple[str, str, dict]]:
    return [
        (path, method, op)
        for path, item in SPEC["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def response_schema(path: str, method: str, status: int) -> dict | None:
    """A reference to the document's schema for this answer, so its `$ref`s resolve there."""
    op = SPEC["paths"][path][method]
    media = op["responses"].get(str(status), {}).get("content", {}).get("application/json")
    if not media or "schema" not in media:
        return None
    where = pointer("paths", path, method, "responses", str(status), "content")
    return {"$ref": f"{DOCUMENT}#/{where}/application~1json/schema"}


def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=REGISTRY)


def example_value(schema: dict):
    """A value for a required field: the document's example, else a plain one of its type."""
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    return {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(
        kind, "walker value"
    )


def is_extension(error) -> bool:
    """Our own keys beyond Discourse's (registered in the serialisers) are not its contract:
    an "additional property" that is one of them is no failure."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return False
    allowed = set(error.schema.get("properties", {}))
    return set(error.instance) - allowed <= serializers.EXTENSION_KEYS


@pytest.fixture
def seeded(committed):
    staff = f.make_user(role="staff", username="centrestaff", is_verified=True)
    alice = f.make_user(username="alice", is_verified=True)
    bob = f.make_user(username="bob")
    young = f.make_user(username="young", role="young_person", age_band="13-15")
    with committed():
        thread = f.make_thread(author=alice, title="A thread the walker reads", source="Words")
        reply = actions.create_post(author=bob, thread=thread, source="A reply to the thread")
        actions.create_post(author=young, thread=thread, source="A young person's reply")
        actions.toggle_reaction(user=bob, post=thread.posts.get(number=1), kind="like")
        actions.toggle_bookmark(user=staff, post=reply)
        start_conversation(
            sender=staff, recipients=[alice], subject="A private message", source="Hello Alice"
        )
    group = f.regional_group("london")
    actions.add_member(actor=staff, user=alice, space=group)
    key = ApiKey(description="walker", user=None, scope="write")
    secret = key.set_new_key()
    key.save()

    def fresh_thread():
        with committed():
            return f.make_thread(author=staff, title="A thread made to be removed", source="Bye")

    def fresh_post():
        with committed():
            return actions.create_post(author=staff, thread=thread, source="A post to delete")

    def fresh_user():
        return f.make_user()

    return {
        "key": secret, "staff": staff, "alice": alice, "bob": bob, "thread": thread,
        "reply": reply, "group": group, "space": thread.space, "topic": thread.topic,
        "fresh_thread": fresh_thread, "fresh_post": fresh_post, "fresh_user": fresh_user,
    }  # fmt: skip


def path_values(operation_id: str, s: dict) -> dict:
    """Path parameters from the seeded objects, named as the document names them."""
    thread, reply, group, space = s["thread"], s["reply"], s["group"], s["space"]
    by_operation = {
        "updateCategory": {"id": space.pk},
        "listCategoryTopics": {"slug": space.slug, "id": space.pk},
        "getCategory": {"id": space.pk},
        "deleteGroup": {"id": group.pk},
        "updateGroup": {"id": group.pk},
        "getGroup": {"name": group.slug},
        "getGroupById": {"id": group.pk},
        "listGroupMembers": {"name": group.slug},
        "addGroupMembers": {"id": group.pk},
        "removeGroupMembers": {"id": group.pk},
        "getPost": {"id": reply.pk},
        "updatePost": {"id": reply.pk},
        "deletePost": {"id": lambda: s["fresh_post"]().pk},
        "postReplies": {"id": thread.posts.get(number=1).pk},
        "lockPost": {"id": reply.pk},
        "removeTopic": {"id": lambda: s["fresh_thread"]().pk},
        "getTag": {"name": s["topic"].slug},
        "deleteUser": {"id": lambda: s["fresh_user"]().pk},
        "activateUser": {"id": lambda: s["fresh_user"]().pk},
        "deactivateUser": {"id": lambda: s["fresh_user"]().pk},
        "suspendUser": {"id": lambda: s["fresh_user"]().pk},
        "silenceUser": {"id": lambda: s["fresh_user"]().pk},
        "anonymizeUser": {"id": lambda: s["fresh_user"]().pk},
        "adminGetUser": {"id": s["alice"].pk},
        "logOutUser": {"id": s["alice"].pk},
        "updateUser": {"username": "centrestaff"},
        "listUserPrivateMessages": {"username": "centrestaff"},
        "getUserSentPrivateMessages": {"username": "centrestaff"},
        "adminListUsersFlag": {"flag": "active"},
    }
    values = {
        "id": thread.pk, "username": "alice", "name": group.slug, "filename": "site.tar.gz",
        "external_id": "ext-1", "provider": "oauth2", "token": "reset-token",
    }  # fmt: skip
    values.update(by_operation.get(operation_id, {}))
    return {k: v() if callable(v) else v for k, v in values.items()}


def body_values(operation_id: str, s: dict) -> dict:
    """Fields the document's examples cannot supply (ids of seeded things, real choices)."""
    thread, reply = s["thread"], s["reply"]
    return {
        "createTopicPostPM": {"raw": "A reply the walker posted", "topic_id": thread.pk},
        "getSpecificPostsFromTopic": {"post_ids[]": [reply.pk]},
        "performPostAction": {"id": reply.pk, "post_action_type_id": 2},
        "updatePost": {"post": {"raw": "An edited reply from the walker", "edit_reason": "walk"}},
        "updateTopic": {"topic": {"title": "A thread the walker renamed"}},
        "updateTopicStatus": {"status": "closed", "enabled": "true"},
        "setNotificationLevel": {"notification_level": "3"},
        "addGroupMembers": {"usernames": "bob"},
        "removeGroupMembers": {"usernames": "alice"},
        "suspendUser": {"suspend_until": "2099-01-01T00:00:00Z", "reason": "Walker test"},
        "silenceUser": {"silenced_till": "2099-01-01T00:00:00Z", "reason": "Walker test"},
        "updateUser": {"name": "Centre Staff"},
        "markNotificationsAsRead": {},
        "createTopicTimer": {"time": "2099-01-01T00:00:00Z", "status_type": "close"},
        "lockPost": {"locked": "true"},
        "createGroup": {"group": {"name": "walker-group", "full_name": "Walker group"}},
        "createCategory": {"name": "Walker space", "color": "49d9e9", "text_color": "f0fcfd"},
    }.get(operation_id, {})


def query_values(operation_id: str, s: dict) -> dict:
    return {
        "listUserActions": {"offset": 0, "username": "alice", "filter": "4,5"},
        "listUsersPublic": {"period": "all", "order": "likes_received"},
    }.get(operation_id, {})


def build_request(path: str, method: str, op: dict, s: dict) -> tuple[str, dict]:
    url = path.format(**path_values(op["operationId"], s))
    query = {
        p["name"]: example_value(p.get("schema", {}))
        for p in op.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    }
    query.update(query_values(op["operationId"], s))
    kwargs: dict = {"HTTP_API_KEY": s["key"], "HTTP_API_USERNAME": "centrestaff"}
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    content = op.get("requestBody", {}).get("content", {})
    if content and method != "get":
        content_type, media = next(iter(content.items()))
        schema = media.get("schema", {})
        body = {
            name: example_value(schema.get("properties", {}).get(name, {}))
            for name in schema.get("required", [])
        }
        body.update(body_values(op["operationId"], s))
        if content_type == "multipart/form-data":
            body["file"] = SimpleUploadedFile("dot.png", png(), content_type="image/png")
            kwargs["data"] = body
        else:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
    elif method == "get" and content:
        # GET /t/{id}/posts.json documents its post_ids[] as a body; clients send a query.
        extra = body_values(op["operationId"], s)
        url += ("&" if "?" in url else "?") + "&".join(
            f"{k}={v}" for k, values in extra.items() for v in values
        )
    return url, kwargs


def test_every_operation_in_discourses_document_answers_to_its_schema(client, seeded, capsys):
    valid, not_applicable, failing = [], [], []
    for path, method, op in operations():
        name = f"{method.upper()} {path} ({op['operationId']})"
        url, kwargs = build_request(path, method, op, seeded)
        response = getattr(client, method)(url, **kwargs)
        if response.status_code == 501:
            body = response.json()
            assert body["error_type"] == "not_applicable" and body["errors"], name
            not_applicable.append(name)
            continue
        expected = sorted(int(code) for code in op["responses"])[0]
        if response.status_code != expected:
            failing.append(f"{name}: {response.status_code} {response.content[:300]!r}")
            continue
        if response.status_code >= 300:
            valid.append(name)
            continue
        schema = response_schema(path, method, expected)
        if schema is None:
            valid.append(name)
            continue
        errors = sorted(
            (e for e in validator(schema).iter_errors(response.json()) if not is_extension(e)),
            key=str,
        )
        if errors:
            failing.append(
                f"{name}: " + "; ".join(
                    f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
                )
            )  # fmt: skip
        else:
            valid.append(name)
    with capsys.disabled():
        print(
            f"\nOpenAPI walk: {len(valid)} valid, {len(not_applicable)} not applicable, "
            f"{len(failing)} failing, of {len(operations())} operations"
        )
        for line in not_applicable:
            print("  not applicable:", line)
        for line in failing:
            print("  FAILING:", line)
    assert not failing, "\n".join(failing)
    assert len(valid) + len(not_applicable) == len(operations())


def test_the_walker_refuses_an_answer_that_breaks_the_schema():
    """The validator is not a rubber stamp: a post without its required fields fails."""
    schema = response_schema("/posts/{id}.json", "get", 200)
    assert list(validator(schema).iter_errors({"id": "one"}))


def test_docs_list_every_operation_with_its_state():
    docs = (SPEC_PATH.parents[2] / "docs" / "api.md").read_text()
    missing = [
        op["operationId"] for _p, _m, op in operations() if f"`{op['operationId']}`" not in docs
    ]
    assert not missing
