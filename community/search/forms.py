from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .query import MAX_TAGS, compose, too_many_tags_message


class AdvancedSearchForm(forms.Form):
    """Each field writes one of the filters the search box understands."""

    words = forms.CharField(label=_("Words"), required=False, max_length=200)
    username = forms.CharField(
        label=_("Posted by"), required=False, max_length=150,
        help_text=_("A member's username, without the @."),
    )  # fmt: skip
    category = forms.CharField(
        label=_("Space or practice topic"), required=False, max_length=100,
        help_text=_("Its short name as in the address, for example national or infant-feeding."),
    )  # fmt: skip
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=200,
        help_text=_("Separate tags with commas."),
    )  # fmt: skip
    in_ = forms.ChoiceField(
        label=_("Only"),
        required=False,
        choices=[("", _("Everything")), ("mine", _("My posts")), ("bookmarks", _("My bookmarks"))],
    )
    status = forms.ChoiceField(
        label=_("Thread status"),
        required=False,
        choices=[("", _("Any")), ("open", _("Open")), ("closed", _("Closed")),
                 ("archived", _("Archived")), ("solved", _("Answered")),
                 ("unsolved", _("Not answered yet"))],
    )  # fmt: skip
    after = forms.DateField(
        label=_("Posted on or after"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    before = forms.DateField(
        label=_("Posted before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("relevance", _("Best match")), ("latest", _("Newest first"))],
    )

    def add_prefix(self, field_name: str) -> str:
        # "in" is a Python keyword, so the field is in_; the form sends it as "in".
        return "in" if field_name == "in_" else super().add_prefix(field_name)

    def clean_tags(self) -> str:
        tags = self.cleaned_data["tags"]
        names = {t.strip().lower() for t in tags.replace(" ", ",").split(",") if t.strip()}
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(too_many_tags_message())
        return tags

    def query_text(self) -> str:
        data = self.cleaned_data
        return compose(
            words=data["words"],
            username=data["username"],
            category=data["category"],
            tags=data["tags"],
            in_=data["in_"],
            status=data["status"],
            before=data["before"].isoformat() if data["before"] else "",
            after=data["after"].isoformat() if data["after"] else "",
            order=data["order"],
        )
