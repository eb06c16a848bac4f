from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_notice, name="notice"),
    path("privacy/young-people/", views.privacy_young_people, name="young_people"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("terms/", views.terms, name="terms"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("staying-safe/", views.staying_safe, name="staying_safe"),
    path("members/", views.members, name="members"),
    path("u/suggest.json", views.mention_suggest, name="mention_suggest"),
    path("staff/verification/", views.verification, name="verification"),
    path("account/data/", views.your_data, name="your_data"),
    path("account/data/consents/<slug:kind>/", views.set_consent, name="set_consent"),
    path("account/data/export/", views.request_export, name="request_export"),
    path("account/data/export/<int:export_id>/", views.download_export, name="download_export"),
    path("account/delete/", views.delete_account, name="delete_account"),
    path("account/delete/cancel/", views.cancel_deletion, name="cancel_deletion"),
    path("report/p/<int:post_id>/", views.visitor_report, name="visitor_report"),
    path("p/<int:post_id>/appeal/", views.appeal, name="appeal"),
    path("messages/m/<int:message_id>/appeal/", views.appeal_message, name="appeal_message"),
    path("mod/appeals/", views.appeals, name="appeals"),
    path("mod/appeals/<int:appeal_id>/", views.decide_appeal, name="decide_appeal"),
]
