"""Discourse's paths. None ends in a slash and none redirects: clients do not follow redirects.

Each operation of Discourse's OpenAPI document (api/spec/openapi.json) has a route here;
those that cannot apply to this network answer a JSON 501 saying why (`not_applicable`).
"""

from django.urls import path, register_converter

from . import polls, solved, views, views_admin, views_likes, views_people
from .http import by_method, not_applicable


class TopicSlug:
    """A topic's slug in /t/{slug}/{id}: never all digits (/t/23/2 is topic 23 at post 2)."""

    regex = r"[-a-zA-Z0-9_]*[-a-zA-Z_][-a-zA-Z0-9_]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TopicSlug, "topicslug")

app_name = "api"

SPACE_CHANGES = (
    "A space's name and who may read it are changed by moderators and centre staff on its "
    "settings page, where the effect on its readers is shown; spaces are never deleted, as "
    "their threads are part of the network's record."
)
GROUP_CHANGES = (
    "Groups (regional groups and private spaces) are renamed and set up by centre staff on "
    "the site, and never deleted: their threads are part of the record, and a safeguarding "
    "concern may point at them. Add and remove members with PUT and DELETE "
    "/groups/{id}/members.json."
)
S3 = "Uploads are stored by the network itself: send the file to POST /uploads.json."
BACKUPS = "Backups are taken by the hosting service, not through the API."
BADGES = "The network has no badges."
TAG_GROUPS = "Practice topics are one fixed list; the network has no tag groups."
ACCOUNTS = (
    "Members sign up on the site (age band and consent are asked there) and change their "
    "email address, username, password and avatar in their own settings."
)
EXTERNAL = "The network has no single sign-on, so nothing has an external id."
EVENTS = "Training events are at /events/ and their calendar feed, not Discourse's events plugin."
INVITES = "Members join by signing up; the network sends no invitations."
ERASURE = (
    "A member's account is erased only at their own request, after the grace period and "
    "unless a safeguarding hold applies (the privacy review); staff cannot delete or "
    "anonymise a member through the API. To stop someone using the network, deactivate "
    "(suspend) them."
)
SIGN_OUT = (
    "Signing a member out everywhere is part of suspending them (PUT "
    "/admin/users/{id}/suspend.json or deactivate.json), which ends their sessions at once."
)

urlpatterns = [
    # Polls (api/polls.py), as Discourse's poll plugin routes them.
    path("polls/vote", polls.vote, name="polls_vote"),
    path("polls/toggle_status", polls.toggle_status, name="polls_toggle_status"),
    # Accepted answers (api/solved.py), as Discourse's Solved plugin routes them.
    path("solution/accept.json", solved.accept, name="solution_accept"),
    path("solution/accept", solved.accept),
    path("solution/unaccept.json", solved.unaccept, name="solution_unaccept"),
    path("solution/unaccept", solved.unaccept),
    path("latest.json", views.latest, name="latest"),
    path("top.json", views.top, name="top"),
    path("new.json", views.new, name="new"),
    path("categories.json", by_method(get=views.categories, post=views_admin.create_category),
         name="categories"),
    path("categories/<int:category_id>.json", not_applicable(SPACE_CHANGES)),
    path("c/<int:category_id>.json", views.category_topics, name="category"),
    path("c/<int:category_id>/show.json", views.category_show, name="category_show"),
    path("c/<slug:slug>/<int:category_id>.json", views.category_topics, name="category_slug"),
    path("c/<slug:slug>/l/latest.json", views.category_topics, name="category_latest"),
    # Topics
    path("t/<int:thread_id>.json", by_method(get=views.topic, delete=views.delete_topic,
         put=views.update_topic), name="topic"),
    path("t/<int:thread_id>/<int:post_number>.json", views.topic, name="topic_at"),
    path("t/<int:thread_id>/posts.json", views.topic_posts, name="topic_posts"),
    path("t/<int:thread_id>/status", views.topic_status, name="topic_status"),
    path("t/<int:thread_id>/status.json", views.topic_status),
    path("t/<int:thread_id>/bookmark.json", views.bookmark_topic),
    path("t/<int:thread_id>/bookmark", views.bookmark_topic),
    path("t/<int:thread_id>/notifications.json", views.topic_notification_level),
    path("t/<int:thread_id>/notifications", views.topic_notification_level),
    path("t/<int:thread_id>/timer.json", views.topic_timer),
    path("t/<int:thread_id>/change-timestamp.json",
         not_applicable("A topic's time is when it was posted; it cannot be changed, so the "
                        "record of who said what, and when, stays true.")),
    path("t/<int:thread_id>/invite.json", not_applicable(INVITES)),
    path("t/<int:thread_id>/invite-group.json", not_applicable(INVITES)),
    path("t/external_id/<str:external_id>.json", not_applicable(EXTERNAL)),
    path("t/-/<int:thread_id>.json", views.update_topic, name="topic_update"),
    path("t/<topicslug:slug>/<int:thread_id>.json",
         by_method(get=views.topic, put=views.update_topic), name="topic_slug"),
    path("t/<topicslug:slug>/<int:thread_id>/<int:post_number>.json", views.topic,
         name="topic_slug_at"),
    path("topics/created-by/<str:username>.json", views.topics_created_by),
    path("topics/timings", views.topic_timings),
    path("topics/timings.json", views.topic_timings),
    path("topics/private-messages/<str:username>.json", views_people.private_messages),
    path("topics/private-messages-sent/<str:username>.json", views_people.private_messages,
         {"sent": True}),
    path("topics/private-messages-unread/<str:username>.json", views_people.private_messages,
         {"unread": True}),
    # Posts
    path("posts.json", by_method(get=views.latest_posts, post=views.create_post), name="posts"),
    path("posts", views.create_post, name="create_post"),
    path("posts/<int:post_id>.json", by_method(get=views.post_detail, put=views.edit_post,
         delete=views.delete_post), name="post"),
    path("posts/<int:post_id>", by_method(get=views.post_detail, put=views.edit_post,
         delete=views.delete_post), name="post_edit"),
    path("posts/<int:post_id>/replies.json", views.post_replies),
    path("posts/<int:post_id>/locked.json", views_admin.lock_post),
    path("posts/by_number/<int:thread_id>/<int:post_number>.json", views.post_by_number),
    path("posts/by_number/<int:thread_id>/<int:post_number>", views.post_by_number),
    path("post_action_users.json", views_likes.post_action_users),
    path("post_actions.json", views.post_action),
    path("post_actions", views.post_action),
    path("post_actions/<int:post_id>.json", views.undo_post_action),
    path("post_actions/<int:post_id>", views.undo_post_action),
    path("bookmarks.json", views.create_bookmark),
    path("bookmarks", views.create_bookmark),
    # Search, tags, notifications
    path("search.json", views.search, name="search"),
    path("search/query.json", views.search),
    path("tags.json", views.tags),
    path("tag/<str:name>.json", views.tag, name="tag"),
    path("tag_groups.json", not_applicable(TAG_GROUPS)),
    path("tag_groups/<int:group_id>.json", not_applicable(TAG_GROUPS)),
    path("notifications.json", views.notifications, name="notifications"),
    path("notifications/mark-read.json", views.mark_notifications_read),
    path("notifications/mark-read", views.mark_notifications_read),
    # Members
    path("users/<str:username>.json",
         by_method(get=views_people.user, put=views_people.update_user), name="user"),
    path("users/<str:username>", by_method(get=views_people.user, put=views_people.update_user)),
    path("u/<str:username>.json", by_method(get=views_people.user, put=views_people.update_user),
         name="u"),
    path("u/by-external/<str:external_id>.json", not_applicable(EXTERNAL)),
    path("u/by-external/<str:provider>/<str:external_id>.json", not_applicable(EXTERNAL)),
    path("u/<str:username>/preferences/avatar/pick.json", not_applicable(ACCOUNTS)),
    path("u/<str:username>/preferences/email.json", not_applicable(ACCOUNTS)),
    path("u/<str:username>/preferences/username.json", not_applicable(ACCOUNTS)),
    path("u/<str:username>/emails.json", not_applicable(ACCOUNTS)),
    path("user_avatar/<str:username>/refresh_gravatar.json", not_applicable(ACCOUNTS)),
    path("users.json", not_applicable(ACCOUNTS)),
    path("session/forgot_password.json", not_applicable(ACCOUNTS)),
    path("users/password-reset/<str:token>.json", not_applicable(ACCOUNTS)),
    path("user-badges/<str:username>.json", not_applicable(BADGES)),
    path("user_actions.json", views_people.user_actions),
    path("directory_items.json", views_people.directory),
    # Groups
    path("groups.json", views_people.groups),
    path("groups/search.json", views_people.group_search),
    path("groups/by-id/<int:group_id>.json", views_people.group_by_id),
    path("groups/<int:group_id>/members.json", by_method(put=views_people.add_group_members,
         delete=views_people.remove_group_members)),
    path("groups/<int:group_id>.json", not_applicable(GROUP_CHANGES)),
    path("groups/<str:name>.json", views_people.group),
    path("groups/<str:name>/members.json", views_people.group_members),
    path("admin/groups.json", views_admin.create_group),
    path("admin/groups/<int:group_id>.json", not_applicable(GROUP_CHANGES)),
    # Admin
    path("admin/users.json", views_people.admin_users),
    path("admin/users/list/<str:flag>.json", views_people.admin_users),
    path("admin/users/<int:member_id>.json", by_method(get=views_people.admin_user,
         delete=not_applicable(ERASURE))),
    path("admin/users/<int:member_id>/suspend.json", views_people.suspend),
    path("admin/users/<int:member_id>/silence.json", views_people.silence),
    path("admin/users/<int:member_id>/activate.json", views_admin.activate_user),
    path("admin/users/<int:member_id>/deactivate.json", views_admin.deactivate_user),
    path("admin/users/<int:member_id>/anonymize.json", not_applicable(ERASURE)),
    path("admin/users/<int:member_id>/log_out.json", not_applicable(SIGN_OUT)),
    path("admin/backups.json", not_applicable(BACKUPS)),
    path("admin/backups/<str:filename>", not_applicable(BACKUPS)),
    path("admin/badges.json", not_applicable(BADGES)),
    path("admin/badges/<int:badge_id>.json", not_applicable(BADGES)),
    path("invites.json", not_applicable(INVITES)),
    path("invites/create-multiple.json", not_applicable(INVITES)),
    # Uploads
    path("uploads.json", views.create_upload),
    path("uploads/generate-presigned-put.json", not_applicable(S3)),
    path("uploads/complete-external-upload.json", not_applicable(S3)),
    path("uploads/create-multipart.json", not_applicable(S3)),
    path("uploads/batch-presign-multipart-parts.json", not_applicable(S3)),
    path("uploads/abort-multipart.json", not_applicable(S3)),
    path("uploads/complete-multipart.json", not_applicable(S3)),
    # Site
    path("site.json", views_people.site),
    path("site/basic-info.json", views_people.basic_info),
    path("about.json", views_people.about),
    path("discourse-post-event/events.json", not_applicable(EVENTS)),
    path("discourse-post-event/events.ics", not_applicable(EVENTS)),
]  # fmt: skip
