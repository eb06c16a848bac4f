from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("mod/t/<int:thread_id>/status/", views.thread_status, name="thread_status"),
    path("mod/t/<int:thread_id>/<slug:tool>/", views.thread_tool, name="thread_tool"),
    path("p/<int:post_id>/flag/", views.flag, name="flag"),
    path("p/<int:post_id>/approve/", views.approve_post, name="approve_post"),
    path("mod/queue/", views.queue, name="queue"),
    path("mod/queue/<int:item_id>/decide/", views.decide, name="decide"),
    path("mod/members/<str:username>/", views.member, name="member"),
    path("mod/safeguarding/", views.concerns, name="concerns"),
    path("mod/safeguarding/<int:concern_id>/", views.concern, name="concern"),
    path("mod/log/", views.log, name="log"),
    path("mod/watched-words/", views.watched_words, name="watched_words"),
]
