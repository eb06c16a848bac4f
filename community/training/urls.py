from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("events/", views.upcoming, name="upcoming"),
    path("events/past/", views.past, name="past"),
    path("events/mine/", views.mine, name="mine"),
    path("events/mine/reset-feed/", views.reset_feed, name="reset_feed"),
    path("events/calendar/", views.calendar_now, name="calendar_now"),
    path("events/calendar/<int:year>/<int:month>/", views.month, name="month"),
    path("events/new/", views.create, name="create"),
    path("events/<int:event_id>/", views.event, name="event"),
    path("events/<int:event_id>/event.ics", views.event_ics, name="event_ics"),
    path("events/<int:event_id>/register/", views.register, name="register"),
    path("events/<int:event_id>/cancel-registration/", views.unregister, name="unregister"),
    path("events/<int:event_id>/feedback/", views.feedback, name="feedback"),
    path("events/<int:event_id>/edit/", views.edit, name="edit"),
    path("events/<int:event_id>/cancel/", views.cancel, name="cancel"),
    path("events/<int:event_id>/registrations/", views.registrations, name="registrations"),
    path(
        "events/<int:event_id>/registrations.csv", views.registrations_csv, name="registrations_csv"
    ),
    path("events/<int:event_id>/attendance/", views.attendance, name="attendance"),
    path("events/<int:event_id>/message/", views.message, name="message"),
    path("events/<int:event_id>/materials/", views.materials, name="materials"),
    path("events/<int:event_id>/discussion/", views.discussion, name="discussion"),
    path(
        "events/materials/<int:material_id>/<str:name>", views.material_file, name="material_file"
    ),
    path("events/feeds/region/<slug:slug>.ics", views.region_feed, name="region_feed"),
    path("events/feeds/national.ics", views.national_feed, name="national_feed"),
    path("events/feeds/topic/<slug:slug>.ics", views.topic_feed, name="topic_feed"),
    path("events/feeds/mine/<str:token>.ics", views.my_feed, name="my_feed"),
    path("events/proposals/", views.proposals, name="proposals"),
    path("events/proposals/demand/", views.demand, name="demand"),
    path("events/proposals/<int:proposal_id>/support/", views.support, name="support"),
    path("events/proposals/<int:proposal_id>/withdraw/", views.withdraw, name="withdraw"),
    path("events/proposals/<int:proposal_id>/schedule/", views.schedule, name="schedule"),
]
