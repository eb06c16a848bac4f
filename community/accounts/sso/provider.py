from __future__ import annotations

import secrets

from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest, HttpResponseRedirect

from .views import StrictOIDCAdapter


class OrganisationProvider(OpenIDConnectProvider):
    """An organisation's OpenID Connect provider: PKCE always, and a nonce in every request."""

    id = "organisation"
    name = "Organisation account"
    oauth2_adapter_class = StrictOIDCAdapter
    pkce_enabled_default = True

    def serialize(self) -> dict:
        # allauth keys a stashed sign-in by provider class and client id; two organisations may
        # well issue the same client id ("family-hubs-network"), so key it by provider_id.
        return {"id": self.app.provider_id, "app.client_id": self.app.client_id}

    def get_pkce_params(self) -> dict:
        # PKCE is not optional here, whatever an app's settings say.
        from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge

        return generate_code_challenge()

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        # allauth's OAuth2Provider.redirect, with a nonce kept in the stashed state and sent.
        app = self.app
        oauth2_adapter = self.get_oauth2_adapter(request)
        client = oauth2_adapter.get_client(request, app)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        pkce_params = self.get_pkce_params()
        code_verifier = pkce_params.pop("code_verifier", None)
        auth_params.update(pkce_params)
        nonce = secrets.token_urlsafe(32)
        auth_params["nonce"] = nonce
        scope = kwargs.pop("scope", None)
        if scope is None:
            scope = self.get_scope()
        state_id = self.stash_redirect_state(
            request,
            process,
            next_url,
            data,
            pkce_code_verifier=code_verifier,
            nonce=nonce,
            **kwargs,
        )
        client.state = state_id
        try:
            return HttpResponseRedirect(
                client.get_redirect_url(oauth2_adapter.authorize_url, scope, auth_params)
            )
        except OAuth2Error as e:
            return render_authentication_error(
                request, self, extra_context={"state_id": state_id}, exception=e
            )


provider_classes = [OrganisationProvider]
