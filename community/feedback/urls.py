from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("tell-us/", views.tell_us, name="tell_us"),
    path("tell-us/thank-you/", views.thanks, name="thanks"),
    path("feedback/inbox/", views.inbox, name="inbox"),
    path("feedback/inbox/<int:response_id>/", views.response_detail, name="response"),
    path("feedback/discussion/", views.start_discussion, name="start_discussion"),
    path("feedback/library/", views.add_to_resource, name="add_to_resource"),
]
