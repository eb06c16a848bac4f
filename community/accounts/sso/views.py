from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare

# Only asymmetric signatures: an HMAC "signed" with the client secret, or "none", is refused.
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"})


class StrictOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """Check every ID token fully: signature, issuer, audience, expiry, nonce, and that the
    userinfo is about the same subject."""

    login_state: dict | None = None

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The provider sent no ID token")
        claims = self.verify_id_token(app, id_token)
        data = {"id_token": claims}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            if str(userinfo.get("sub")) != str(claims.get("sub")):
                raise OAuth2Error("The userinfo is about someone else")
            # The ID token's claims win over userinfo's where both have one.
            data["userinfo"] = {**userinfo, **claims}
        return self.get_provider().sociallogin_from_response(request, data)

    def verify_id_token(self, app: SocialApp, id_token: str) -> dict:
        import jwt  # only when someone signs in: keeps it off every process's start-up

        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as e:
            raise OAuth2Error("Malformed ID token") from e
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise OAuth2Error("ID token signed with a refused algorithm")
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        audiences = claims.get("aud")
        if isinstance(audiences, list) and len(audiences) > 1:
            if claims.get("azp") != app.client_id:
                raise OAuth2Error("ID token issued to another party")
        expected_nonce = (self.login_state or {}).get("nonce")
        if not expected_nonce or not constant_time_compare(
            str(claims.get("nonce", "")), expected_nonce
        ):
            raise OAuth2Error("ID token nonce does not match this sign-in")
        return claims

    def get_callback_url(self, request: HttpRequest, app):
        callback_url = reverse("organisation_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, callback_url, self.redirect_uri_protocol)


class StrictCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider):
        # The state is popped from the session here; the adapter needs its nonce afterwards.
        state, response = super()._get_state(request, provider)
        self.adapter.login_state = state
        return state, response


@login_not_required
def login(request: HttpRequest, provider_id: str):
    try:
        return OAuth2LoginView.adapter_view(StrictOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request: HttpRequest, provider_id: str):
    try:
        return StrictCallbackView.adapter_view(StrictOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
