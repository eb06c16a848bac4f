from django.urls import path

from . import feeds, views

app_name = "library"

urlpatterns = [
    path("", views.library, name="library"),
    path("feed/rss/", feeds.ResourceFeed(), name="feed_rss"),
    path("feed/atom/", feeds.ResourceAtomFeed(), name="feed_atom"),
    path("new/", views.new_resource, name="new"),
    path("due/", views.due, name="due"),
    path("work/", views.work, name="work"),
    path("credits/", views.my_credits, name="my_credits"),
    path("credits/<int:credit_id>/", views.credit, name="credit"),
    path(
        "credits/<int:credit_id>/withdraw-credit/",
        views.withdraw,
        {"what": "credit"},
        name="withdraw_credit",
    ),
    path(
        "credits/<int:credit_id>/withdraw-words/",
        views.withdraw,
        {"what": "words"},
        name="withdraw_words",
    ),
    path("curate/<int:thread_id>/", views.curate, name="curate"),
    path("r/<int:resource_id>/", views.resource_short, name="resource_short"),
    path("r/<int:resource_id>/history/", views.history, name="history"),
    path("r/<int:resource_id>/v/<int:number>/", views.version, name="version"),
    path("r/<int:resource_id>/edit/", views.edit_resource, name="edit"),
    path("r/<int:resource_id>/submit/", views.submit, name="submit"),
    path("r/<int:resource_id>/review/", views.review, name="review"),
    path("r/<int:resource_id>/publish/", views.publish, name="publish"),
    path("r/<int:resource_id>/archive/", views.archive, name="archive"),
    path("r/<int:resource_id>/unarchive/", views.unarchive, name="unarchive"),
    path("r/<int:resource_id>/next-review/", views.next_review, name="next_review"),
    path("r/<int:resource_id>/rate/", views.rate, name="rate"),
    path("r/<int:resource_id>/feedback/", views.feedback, name="feedback"),
    path("r/<int:resource_id>/<slug:slug>/", views.resource, name="resource"),
]
