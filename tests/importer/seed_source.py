"""Run in a second instance's process: a small Discourse-like site to import from.

Prints the API key on the last line. Everything is written through the actions.
"""

import django

django.setup()

from django.test.utils import override_settings  # noqa: E402

from api.models import ApiKey  # noqa: E402
from community.forum import actions  # noqa: E402
from community.forum.models import Membership, Space, Topic  # noqa: E402
from tests.factories import make_user  # noqa: E402

with override_settings(NEW_MEMBER_POSTS_HELD=0, POSTS_PER_MINUTE=1000):
    # The import reads as an ordinary adult member: what it brings is what such a member sees
    # (children's accounts are hidden from adults, so they are never brought across as adults).
    reader = make_user(username="importer", display_name="Import Bot")
    staff = make_user(role="staff", username="centre")
    priya = make_user(username="priya", display_name="Priya Shah")
    lee = make_user(username="lee", display_name="Lee Okoro")
    kid = make_user(role="young_person", age_band="13-15", username="kiddo",
                    display_name="Quiet Otter")  # fmt: skip
    national = Space.objects.get(slug="national")
    feeding = Topic.objects.get(slug="infant-feeding")
    first = actions.start_thread(
        author=priya, space=national, topic=feeding, title="Weekend peer supporters on the ward",
        source="How do you cover **weekends**?", tags=["volunteers", "weekends"],
    )  # fmt: skip
    second = actions.create_post(author=lee, thread=first, source="We pay a weekend lead.")
    actions.create_post(author=priya, thread=first, source="Thank you, that helps a lot.")
    actions.toggle_reaction(user=lee, post=first.posts.get(number=1), kind="like")
    actions.toggle_reaction(user=priya, post=second, kind="like")
    # Views the source counted (its flush job's work), for the import to bring across.
    actions.add_thread_views(slot=0, counts={first.pk: 57})
    young = Space.objects.get(slug="young-people")
    Membership.objects.get_or_create(user=kid, space=young)
    child = actions.start_thread(
        author=kid, space=young, topic=feeding, title="What would help young parents",
        source="A place to go after school would help.",
    )  # fmt: skip
    if child.status != "published":
        actions.approve_post(moderator=staff, post=child.posts.get())
    actions.toggle_reaction(user=kid, post=second, kind="like")
    key = ApiKey(description="import test", user=reader, scope=ApiKey.Scope.READ)
    secret = key.set_new_key()
    key.save()
    print(secret)
