from django.urls import path

from . import feeds

app_name = "feeds"

urlpatterns = []
for name, route, feed in [
    ("latest", "feeds/latest", feeds.ThreadsFeed),
    ("space", "feeds/s/<slug:slug>", feeds.SpaceFeed),
    ("topic", "feeds/topics/<slug:slug>", feeds.TopicFeed),
    ("tag", "feeds/tags/<slug:slug>", feeds.TagFeed),
    ("thread", "feeds/t/<int:thread_id>", feeds.ThreadFeed),
]:
    urlpatterns += [
        path(f"{route}.rss", feed(), name=name),
        path(f"{route}.atom", feeds.atom(feed)(), name=f"{name}_atom"),
    ]
