from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LocalAuthority, Region, User

SIGNUP_ROLES = [
    (User.Role.PRACTITIONER, _("Practitioner (health, family support, early years, youth work)")),
    (User.Role.COMMISSIONER, _("Commissioner or family hub lead in a local authority")),
    (User.Role.PARENT_CARER, _("Parent or carer")),
    (User.Role.YOUNG_PERSON, _("Young person")),
]
AGE_BAND_CHOICES = [("under-13", _("Under 13")), *User.AgeBand.choices]


class ProfileSignupForm(forms.Form):
    """The fields allauth's sign-up form adds for our members."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        help_text=_(
            "Shown beside your posts. Parents, carers and young people may use a pseudonym."
        ),
    )
    role = forms.ChoiceField(label=_("I am a"), choices=SIGNUP_ROLES)
    age_band = forms.ChoiceField(
        label=_("Age"), choices=AGE_BAND_CHOICES, initial=User.AgeBand.AGE_26_PLUS
    )
    home_region = forms.ModelChoiceField(
        label=_("Home region"), queryset=Region.objects.all(), required=False
    )
    local_authority = forms.ModelChoiceField(
        label=_("Local authority"), queryset=LocalAuthority.objects.all(), required=False
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .pseudonyms import suggest_pseudonym

        self.pseudonym = suggest_pseudonym()
        self.fields["display_name"].help_text = _(
            "Shown beside your posts. Parents, carers and young people may use a pseudonym. "
            "If you are under 18, please don't use your real name: how about “%(name)s”?"
        ) % {"name": self.pseudonym}

    def clean_age_band(self) -> str:
        band = self.cleaned_data["age_band"]
        if band == "under-13":
            raise forms.ValidationError(
                _(
                    "Sorry, you need to be 13 or over to join. Childline (0800 1111) is there "
                    "for you any time, and your family hub can help your family."
                )
            )
        return band

    def signup(self, request, user) -> None:
        """Profile fields are stored by the account adapter; nothing more to do here."""


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "organisation", "home_region", "local_authority"]
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
        }


class AvatarForm(forms.Form):
    photo = forms.FileField(
        label=_("Choose a photo"),
        help_text=_(
            "A JPEG, PNG, GIF or WebP picture. We cut it to a square, make it smaller and "
            "remove hidden details such as where it was taken."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
