from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "community.privacy"
    label = "privacy"
    verbose_name = "Privacy and members' rights"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        from community.forum import screening as forum_screening

        from . import panels, receivers, screening

        # Every post by a member under 18 waits for a moderator.
        forum_screening.register(screening.screen_minors)
        email_confirmed.connect(receivers.verify_by_email_domain, dispatch_uid="privacy.verify")
        panels.register()
