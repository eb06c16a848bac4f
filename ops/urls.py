from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.prometheus_metrics, name="metrics"),
    path("staff/tasks/", views.staff_tasks, name="staff_tasks"),
    path("staff/tasks/<uuid:task_id>/retry/", views.staff_task_retry, name="staff_task_retry"),
]
