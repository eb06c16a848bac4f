from django.contrib import admin

from .models import AvailabilitySlot, CaseEvent, ExpertProfile


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    """Where centre staff make a member an expert and set their specialisms."""

    list_display = ["user", "is_active"]
    filter_horizontal = ["specialisms"]
    raw_id_fields = ["user"]


@admin.register(AvailabilitySlot)
class AvailabilitySlotAdmin(admin.ModelAdmin):
    list_display = ["expert", "starts_at", "ends_at"]
    raw_id_fields = ["expert"]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["case", "kind", "actor", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
