"""Sign-in with organisation accounts through OpenID Connect (allauth's provider, made strict).

allauth's generic OpenID Connect provider trusts an ID token fetched over TLS without checking
its signature and sends no nonce. Organisation sign-in here always checks the signature against
the issuer's published keys, the audience, the issuer, the expiry and a nonce bound to the
sign-in attempt, and always uses PKCE. Per-provider policy (which email domains it may claim,
the role and mark of new members, whether passwords stay allowed) is in `policy.py`.
"""
