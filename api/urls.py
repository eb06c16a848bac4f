"""Discourse's paths. None ends in a slash and none redirects: clients do not follow redirects."""

from django.urls import path

from . import polls, views

app_name = "api"

urlpatterns = [
    path("latest.json", views.latest, name="latest"),
    path("top.json", views.top, name="top"),
    path("new.json", views.new, name="new"),
    path("categories.json", views.categories, name="categories"),
    path("c/<int:category_id>.json", views.category_topics, name="category"),
    path("c/<int:category_id>/show.json", views.category_show, name="category_show"),
    path("c/<slug:slug>/<int:category_id>.json", views.category_topics, name="category_slug"),
    path("c/<slug:slug>/l/latest.json", views.category_topics, name="category_latest"),
    path("t/<int:thread_id>.json", views.topic, name="topic"),
    path("t/<int:thread_id>/posts.json", views.topic_posts, name="topic_posts"),
    path("t/<int:thread_id>/status", views.topic_status, name="topic_status"),
    path("t/<int:thread_id>/status.json", views.topic_status),
    path("t/<slug:slug>/<int:thread_id>.json", views.topic, name="topic_slug"),
    path("posts.json", views.latest_posts_or_create, name="posts"),
    path("posts", views.create_post, name="create_post"),
    path("posts/<int:post_id>.json", views.post_or_edit, name="post"),
    path("posts/<int:post_id>", views.post_or_edit, name="post_edit"),
    path("search.json", views.search, name="search"),
    path("notifications.json", views.notifications, name="notifications"),
    path("users/<str:username>.json", views.user, name="user"),
    path("tag/<str:name>.json", views.tag, name="tag"),
    # Polls (api/polls.py), as Discourse's poll plugin routes them.
    path("polls/vote", polls.vote, name="polls_vote"),
    path("polls/toggle_status", polls.toggle_status, name="polls_toggle_status"),
]
