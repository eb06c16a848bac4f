"""RSS and Atom feeds of published resources, through Django's syndication framework."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from community.siteaddress import SiteAddressFeed

from . import selectors
from .models import Resource


class ResourceFeed(SiteAddressFeed, Feed):
    title = _("Family Hubs Network: resource library")
    link = reverse_lazy("library:library")
    description = _("Resources newly published or updated in the Family Hubs Network library.")

    def items(self) -> list[Resource]:
        # Public resources only: a feed reader is an anonymous visitor.
        return selectors.feed_resources()

    def item_title(self, item: Resource) -> str:
        return item.current_version.title

    def item_description(self, item: Resource) -> str:
        return item.current_version.summary

    def item_link(self, item: Resource) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Resource) -> str:
        return f"resource-{item.pk}-v{item.current_version.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Resource) -> datetime.datetime:
        return item.published_at or item.current_version.published_at

    def item_updateddate(self, item: Resource) -> datetime.datetime:
        return item.current_version.published_at

    def item_categories(self, item: Resource) -> list[str]:
        return [item.get_type_display()]


class ResourceAtomFeed(ResourceFeed):
    feed_type = Atom1Feed
    subtitle = ResourceFeed.description
