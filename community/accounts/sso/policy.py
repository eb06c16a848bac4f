"""What each organisation provider may do here, kept in its app's settings.

An operator sets these beside the issuer and client (in `OIDC_PROVIDERS` or the social
application's settings in the admin):

- `email_domains`: the email domains it may claim ("*.gov.uk" covers subdomains); empty means
  any address, which only suits a provider the operator fully trusts,
- `role`: the role of members it signs up (practitioner by default; never a parent, carer or
  young person: they sign up with email),
- `verified`: whether its new members get the "verified professional" mark,
- `passwords_allowed`: whether members who connected it may still sign in with a password.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import User

# A provider makes professional accounts only; families and young people sign up by email.
PROVIDER_ROLES = frozenset({User.Role.PRACTITIONER, User.Role.COMMISSIONER, User.Role.EXPERT})


@dataclass(frozen=True)
class ProviderPolicy:
    email_domains: tuple[str, ...] = ()
    role: str = User.Role.PRACTITIONER
    verified: bool = False
    passwords_allowed: bool = True

    def allows_email(self, email: str) -> bool:
        if not self.email_domains:
            return True
        domain = email.rpartition("@")[2].lower()
        for allowed in self.email_domains:
            allowed = allowed.lower()
            if allowed.startswith("*."):
                if domain.endswith(allowed[1:]):
                    return True
            elif domain == allowed:
                return True
        return False


def policy_for(app) -> ProviderPolicy:
    """The policy in a social application's settings, with safe defaults for what is missing."""
    settings = app.settings or {}
    role = settings.get("role") or User.Role.PRACTITIONER
    if role not in PROVIDER_ROLES:
        role = User.Role.PRACTITIONER
    return ProviderPolicy(
        email_domains=tuple(settings.get("email_domains") or ()),
        role=role,
        verified=bool(settings.get("verified", False)),
        passwords_allowed=bool(settings.get("passwords_allowed", True)),
    )


def password_refusing_provider(request, user) -> str | None:
    """The name of a provider the member connected that does not allow passwords, if any."""
    from allauth.socialaccount.adapter import get_adapter
    from allauth.socialaccount.models import SocialAccount

    adapter = get_adapter(request)
    for provider_id in SocialAccount.objects.filter(user=user).values_list("provider", flat=True):
        try:
            provider = adapter.get_provider(request, provider_id)
        except Exception:  # a provider the operator has since removed
            continue
        if provider.id == "organisation" and not policy_for(provider.app).passwords_allowed:
            return provider.name
    return None
