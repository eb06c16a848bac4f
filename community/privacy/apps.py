from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "community.privacy"
    label = "privacy"
    verbose_name = "Privacy and members' rights"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        from community import events
        from community.forum import screening as forum_screening
        from community.library import permissions as library_permissions

        from . import actions, panels, receivers, screening

        # The library reads members' standing choice about being credited by name from here.
        library_permissions.register_standing_credit_choice(actions.standing_credit_choice)

        # Every post by a member under 18 waits for a moderator.
        forum_screening.register(screening.screen_minors)
        email_confirmed.connect(receivers.verify_by_email_domain, dispatch_uid="privacy.verify")
        events.subscribe(receivers.start_export)
        panels.register()
