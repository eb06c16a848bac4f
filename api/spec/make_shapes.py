"""Write `api/shapes.py` from Discourse's OpenAPI document: run after replacing the document.

    .venv/bin/python api/spec/make_shapes.py && .venv/bin/ruff format api/shapes.py

Each shape lists the fields Discourse documents for one answer: the required ones with the
value Discourse gives when the feature behind the field is off (null, false, 0, empty), and
the optional ones by name. Serialisers fill in what the network knows and `shapes.project`
keeps exactly the documented fields, so nothing undocumented (or private) slips out.
"""

import json
import pprint
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = json.loads((HERE / "openapi.json").read_text())

SHAPES = {
    "POST_IN_TOPIC": "/t/{id}.json get post_stream posts []",
    "POST_DETAIL": "/posts/{id}.json get",
    "LATEST_POST": "/posts.json get latest_posts []",
    "CREATED_POST": "/posts.json post",
    "EDITED_POST": "/posts/{id}.json put post",
    "REPLY_POST": "/posts/{id}/replies.json get []",
    "ACTED_POST": "/post_actions.json post",
    "TOPIC": "/t/{id}.json get",
    "TOPIC_DETAILS": "/t/{id}.json get details",
    "LIST_TOPIC": "/latest.json get topic_list topics []",
    "TOP_TOPIC": "/top.json get topic_list topics []",
    "CATEGORY_TOPIC": "/c/{slug}/{id}.json get topic_list topics []",
    "CATEGORY_TOPIC_LIST": "/c/{slug}/{id}.json get topic_list",
    "CATEGORY": "/c/{id}/show.json get category",
    "LISTED_CATEGORY": "/categories.json get category_list categories []",
    "SEARCH_POST": "/search.json get posts []",
    "SEARCH_RESULT": "/search.json get grouped_search_result",
    "USER": "/u/{username}.json get user",
    "USER_OPTION": "/u/{username}.json get user user_option",
    "USER_GROUP": "/u/{username}.json get user groups []",
    "GROUP": "/groups/{name}.json get group",
    "CREATED_GROUP": "/admin/groups.json post basic_group",
    "CREATED_CATEGORY": "/categories.json post category",
    "LISTED_GROUP": "/groups.json get groups []",
    "GROUP_MEMBER": "/groups/{name}/members.json get members []",
    "GROUP_MEMBERS_META": "/groups/{name}/members.json get meta",
    "ADMIN_USER": "/admin/users/{id}.json get",
    "ADMIN_USER_GROUP": "/admin/users/{id}.json get groups []",
    "ADMIN_LISTED_USER": "/admin/users.json get []",
    "SITE": "/site.json get",
    "SITE_GROUP": "/site.json get groups []",
    "SITE_CATEGORY": "/site.json get categories []",
    "POST_ACTION_TYPE": "/site.json get post_action_types []",
    "BASIC_INFO": "/site/basic-info.json get",
    "USER_ACTION": "/user_actions.json get user_actions []",
    "UPLOAD": "/uploads.json post",
    "SUSPENSION": "/admin/users/{id}/suspend.json put suspension",
    "SILENCE": "/admin/users/{id}/silence.json put silence",
    "PM_TOPIC": "/topics/private-messages/{username}.json get topic_list topics []",
    "DIRECTORY_ITEM": "/directory_items.json get directory_items []",
    "DIRECTORY_USER": "/directory_items.json get directory_items [] user",
    "BASIC_TOPIC": "/t/-/{id}.json put basic_topic",
}


def schema_at(where: str) -> dict:
    path, method, *rest = where.split(" ")
    response = next(iter(SPEC["paths"][path][method]["responses"].values()))
    schema = response["content"]["application/json"]["schema"]
    for key in rest:
        schema = schema["items"] if key == "[]" else schema["properties"][key]
    return schema


def types_of(schema: dict) -> list[str]:
    kind = schema.get("type")
    if kind is None:
        return ["object"] if "properties" in schema else []
    return kind if isinstance(kind, list) else [kind]


def neutral(schema: dict):
    kinds = types_of(schema)
    if "null" in kinds:
        return None
    kind = kinds[0] if kinds else None
    if kind == "object":
        props = schema.get("properties", {})
        return {k: neutral(props.get(k, {})) for k in schema.get("required", [])}
    return {"array": [], "integer": 0, "number": 0, "boolean": False, "string": ""}.get(kind)


def shape(schema: dict) -> dict:
    props = schema.get("properties", {})
    required = schema.get("required", [])
    return {
        "required": {k: neutral(props.get(k, {})) for k in required},
        "optional": tuple(k for k in props if k not in required),
        "types": {k: tuple(types_of(v)) for k, v in props.items() if types_of(v)},
        "open": schema.get("additionalProperties", True) is not False,
        "nested": {
            k: tuple(item["properties"])
            for k, v in props.items()
            for item in [v.get("items", v)]
            if item.get("additionalProperties") is False and "properties" in item
        },
    }


def main() -> None:
    out = [
        '"""Discourse\'s answer shapes, generated from api/spec/openapi.json by',
        'api/spec/make_shapes.py: do not edit by hand."""',
        "",
        "from api.shape import Shape",
        "",
    ]
    for name, where in SHAPES.items():
        out.append(f"# {where}")
        out.append(f"{name} = Shape(**{pprint.pformat(shape(schema_at(where)), width=99)})")
        out.append("")
    (HERE.parent / "shapes.py").write_text("\n".join(out))


if __name__ == "__main__":
    main()
