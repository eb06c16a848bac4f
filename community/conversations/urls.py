from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.new_conversation, name="new"),
    path("<int:conversation_id>/", views.conversation, name="conversation"),
    path("<int:conversation_id>/reply/", views.reply, name="reply"),
    path("<int:conversation_id>/leave/", views.leave, name="leave"),
    path(
        "<int:conversation_id>/messages/<int:message_id>/report/",
        views.report,
        name="report",
    ),
]
