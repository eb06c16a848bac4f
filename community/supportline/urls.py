from django.urls import path

from . import views

app_name = "supportline"

urlpatterns = [
    path("", views.index, name="index"),
    path("request/", views.request_form, name="request"),
    path("request/sent/", views.visitor_sent, name="visitor_sent"),
    path("invitation/<str:key>/", views.invitation, name="invitation"),
    path("requests/", views.my_requests, name="my_requests"),
    path("queue/", views.queue, name="queue"),
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("themes/", views.themes, name="themes"),
    path("themes.csv", views.themes_csv, name="themes_csv"),
    path("availability/", views.availability, name="availability"),
    path("availability/<int:slot_id>/withdraw/", views.withdraw_slot, name="withdraw_slot"),
    path("case/<str:reference>/", views.case, name="case"),
    path("case/<str:reference>/confirmation/", views.confirmation, name="confirmation"),
    path("case/<str:reference>/messages/", views.case_messages, name="case_messages"),
    path("case/<str:reference>/consultation.ics", views.invitation_ics, name="invitation_ics"),
    path("case/<str:reference>/reply/", views.reply, name="reply"),
    path("case/<str:reference>/take/", views.take, name="take"),
    path("case/<str:reference>/triage/", views.triage, name="triage"),
    path("case/<str:reference>/assign/", views.assign, name="assign"),
    path("case/<str:reference>/decline/", views.decline, name="decline"),
    path("case/<str:reference>/close/", views.close, name="close"),
    path("case/<str:reference>/book/", views.book, name="book"),
    path("case/<str:reference>/survey/", views.survey, name="survey"),
]
