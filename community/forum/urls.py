from django.urls import path

from . import answer_views, views

app_name = "forum"

urlpatterns = [
    path("", views.latest, name="latest"),
    path("new/", views.new, name="new"),
    path("unread/", views.unread, name="unread"),
    path("top/", views.top, name="top"),
    path("spaces/", views.spaces, name="spaces"),
    path("s/<slug:slug>/", views.space, name="space"),
    path("s/<slug:slug>/join/", views.join, name="join"),
    path("s/<slug:slug>/leave/", views.leave, name="leave"),
    path("s/<slug:slug>/settings/", views.space_settings, name="space_settings"),
    path("r/<slug:slug>/", views.region, name="region"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("u/<str:username>/", views.user_activity, name="user_activity"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("new-thread/", views.start_thread, name="start_thread"),
    path("t/<int:thread_id>/", views.thread_short, name="thread_short"),
    path("t/<int:thread_id>/reply/", views.reply, name="reply"),
    path("t/<int:thread_id>/answer/", answer_views.choose_answer, name="choose_answer"),
    path("t/<int:thread_id>/answer/remove/", answer_views.remove_answer, name="remove_answer"),
    path("t/<slug:slug>/<int:thread_id>/", views.thread, name="thread"),
    path("t/<slug:slug>/<int:thread_id>/<int:number>", views.post, name="post"),
    path("p/<int:post_id>/fragment/", views.post_fragment, name="post_fragment"),
    path("p/<int:post_id>/edit/", views.edit_post, name="edit_post"),
    path("p/<int:post_id>/revisions/", views.revisions, name="revisions"),
    path("p/<int:post_id>/delete/", views.delete_post, name="delete_post"),
    path("p/<int:post_id>/restore/", views.restore_post, name="restore_post"),
    path("p/<int:post_id>/react/", views.react, name="react"),
    path("p/<int:post_id>/bookmark/", views.bookmark, name="bookmark"),
    path("p/<int:post_id>/reactions/", views.reactions, name="reactions"),
    path("compose/preview/", views.preview, name="preview"),
    path("compose/draft/", views.save_draft, name="save_draft"),
    path("compose/complete/", views.complete, name="complete"),
    path("compose/upload/", views.upload, name="upload"),
    path("uploads/<int:attachment_id>/<str:name>", views.attachment, name="attachment"),
]
