"""Make a believable demo network; running it again changes nothing."""

from __future__ import annotations

import random

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from community.accounts.models import LocalAuthority, Region
from community.forum import actions, demo
from community.forum.models import Membership, Space, Thread, Topic

DEMO_PASSWORD = "family-hubs-demo"

# username, display name, role, age band, region slug, verified, organisation
DEMO_USERS = [
    ("priya", "Priya Shah", "practitioner", "26+", "london", True, "Health visiting team"),
    ("tom", "Tom Okafor", "commissioner", "26+", "north-west", True, "Family hubs programme"),
    ("sam", "Sam (parent)", "parent_carer", "26+", "yorkshire-and-the-humber", False, ""),
    ("jay", "Jay", "young_person", "16-17", "west-midlands", False, ""),
    (
        "morgan",
        "Morgan Reid",
        "moderator",
        "26+",
        "east-midlands",
        False,
        "National Centre for Family Hubs",
    ),
    ("alex", "Alex Turner", "staff", "26+", "london", False, "National Centre for Family Hubs"),
    (
        "dr-ellis",
        "Dr Ruth Ellis",
        "expert",
        "26+",
        "south-west",
        True,
        "Perinatal mental health specialist",
    ),
]
ROLE_LABELS = {
    "practitioner": "practitioner",
    "commissioner": "commissioner / hub lead",
    "parent_carer": "parent or carer",
    "young_person": "young person (16-17)",
    "moderator": "moderator",
    "staff": "centre staff",
    "expert": "expert",
}
FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Hamza",
    "Isla",
    "Jon",
    "Kira",
    "Leon",
]
JOBS = ["Family support worker", "Health visitor", "Infant feeding lead", "Youth worker", "Early years practitioner", "Hub manager"]  # fmt: skip

THREADS = [
    ("national", "start-for-life", "Publishing our Start for Life offer: what did families actually read?",
     "We published our Start for Life offer online last spring. Page views were low until we worked with "
     "our parent panel to rewrite it. What worked for you?", ["start-for-life-offer", "co-production"]),
    ("national", "infant-feeding", "Peer supporters on the maternity ward at weekends",
     "Has anyone managed weekend cover for infant feeding peer supporters? We keep losing volunteers.",
     ["peer-support", "volunteers"]),
    ("north-west", "parenting-support", "Evening parenting groups for working dads",
     "Our evening sessions for dads doubled attendance. Happy to share the session plan.", ["dads", "evening"]),
    ("london", "perinatal-mental-health", "Referral pathway from health visiting to perinatal mental health",
     "We mapped our pathway with the perinatal team and cut waiting from 8 to 3 weeks. Questions welcome.",
     ["pathways"]),
    ("yorkshire-and-the-humber", "send-inclusion", "SEND drop-ins in the hub: who staffs them?",
     "We are trialling monthly SEND drop-ins. Who do you bring in: SENDIASS, the local offer team, health?",
     ["send", "drop-in"]),
    ("ask-an-expert", "perinatal-mental-health", "Screening questions for dads and partners",
     "Which validated screening questions are others using with partners in the perinatal period?",
     ["dads", "screening"]),
    ("parents-and-carers", "hub-model-access", "The hub opening hours do not work for shift workers",
     "I work shifts and the hub is only open 9 to 3. Could there be one late evening?", ["access"]),
    ("young-people", "youth-services", "What would make you walk into a family hub?",
     "Asking for our youth forum: what would make the hub feel like it is for young people too?", ["youth-voice"]),
    ("announcements", "hub-model-access", "Welcome to the Family Hubs Network",
     "This is the learning network of the National Centre for Family Hubs. Start in your regional group.", []),
]  # fmt: skip
REPLIES = [
    "This matches what we found. The key was involving families from the start.",
    "Could you share the template? We are about to start the same work.",
    "We tried this and it worked once we had a named lead in each team.",
    "Interesting. How did you measure the change?",
    "Our local authority found the same. Evening slots were the most requested in our survey.",
]


class Command(BaseCommand):
    help = "Load demo members, memberships and threads (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        from django.test.utils import override_settings

        # Demo data is an import, not members typing: no posting rate limit or first-post hold,
        # and the notification emails it causes are not printed.
        quiet_mail = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        with override_settings(POSTS_PER_MINUTE=10**6, NEW_MEMBER_POSTS_HELD=0, MAILERS=quiet_mail):
            self._seed()

    def _seed(self) -> None:
        rng = random.Random(2026)
        with transaction.atomic():
            users = self._users(rng)
            self._admin_rights(next(u for u in users if u.username == "alex"))
        created = 0
        if not Thread.objects.filter(title=THREADS[0][2]).exists():
            created = self._threads(rng, users)
        by_username = {u.username: u for u in users}
        summaries = [seeder(members=by_username) for seeder in demo.seeders()]
        self.stdout.write(self.style.SUCCESS(f"Demo network ready ({created} threads added)."))
        for summary in summaries:
            self.stdout.write(f"  {summary}")
        self.stdout.write(
            f"Demo logins (sign in with the email; password for all: {DEMO_PASSWORD}):"
        )
        for username, _name, role, *_rest in DEMO_USERS:
            email = f"{username}@demo.familyhubs.example"
            self.stdout.write(f"  {ROLE_LABELS[role]:<26} {email:<36} {username}")
        self.stdout.write(
            "  Centre staff (alex) can also open the admin at /admin/ (username alex)."
        )

    def _user(self, *, username, name, role, age_band, region, verified, organisation):
        User = get_user_model()
        email = f"{username}@demo.familyhubs.example"
        authorities = list(LocalAuthority.objects.filter(region=region).order_by("name"))
        la = authorities[sum(map(ord, username)) % len(authorities)] if authorities else None
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": email,
                "display_name": name,
                "role": role,
                "age_band": age_band,
                "home_region": region,
                "local_authority": la if role in ("practitioner", "commissioner") else None,
                "is_verified": verified,
                "organisation": organisation,
                "is_staff": role == "staff",
                "is_safeguarding_lead": role == "staff",
                "trust_level": 2,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _admin_rights(self, staff) -> None:
        """Centre staff manage the network's own data in the admin.

        Not the accounts app: whoever may change members there could make themselves a
        superuser; staff verify and sanction members through the network's own pages.
        """
        from django.contrib.auth.models import Group, Permission

        group, _created = Group.objects.get_or_create(name="Centre staff (admin)")
        labels = [
            c.label
            for c in apps.get_app_configs()
            if c.name.startswith(("community.", "api", "notifications")) and c.label != "accounts"
        ]
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=labels))
        staff.groups.add(group)

    def _users(self, rng: random.Random) -> list:
        regions = {r.slug: r for r in Region.objects.all()}
        users = []
        for username, name, role, age_band, region, verified, organisation in DEMO_USERS:
            users.append(
                self._user(
                    username=username, name=name, role=role, age_band=age_band,
                    region=regions[region], verified=verified, organisation=organisation,
                )
            )  # fmt: skip
        # A few practitioners from local authorities in every region.
        for region in regions.values():
            for i in range(2):
                first = FIRST_NAMES[(hash(region.slug) + i) % len(FIRST_NAMES)]
                username = f"{first.lower()}-{region.slug[:12]}-{i}"
                users.append(
                    self._user(
                        username=username, name=f"{first} ({region.name})", role="practitioner",
                        age_band="26+", region=region, verified=True, organisation=rng.choice(JOBS),
                    )
                )  # fmt: skip
        for user in users:
            if user.home_region_id:
                group = Space.objects.filter(region_id=user.home_region_id).first()
                if group:
                    Membership.objects.get_or_create(user=user, space=group)
        return users

    def _threads(self, rng: random.Random, users: list) -> int:
        by_name = {u.username: u for u in users}
        staff = by_name["alex"]
        count = 0
        for space_slug, topic_slug, title, body, tags in THREADS:
            space = Space.objects.get(slug=space_slug)
            topic = Topic.objects.get(slug=topic_slug)
            author = self._author_for(space, users, rng, staff)
            thread = actions.start_thread(
                author=author, space=space, topic=topic, title=title, source=body, tags=tags
            )
            count += 1
            if thread.status != "published":
                actions.approve_post(moderator=by_name["morgan"], post=thread.posts.get(number=1))
            last = thread.posts.get(number=1)
            for i in range(rng.randint(2, 5)):
                replier = self._author_for(space, users, rng, staff, exclude=author)
                if not actions.permissions.can_reply(replier, thread):
                    continue
                source = rng.choice(REPLIES)
                if i == 1:
                    source = f"@{author.username} {source}"
                reply_to = last if i % 2 else None
                if i == 2:
                    source = (
                        f'[quote="{last.author.username}, post:{last.number}, topic:{thread.pk}"]\n'
                        f"{last.source[:120]}\n[/quote]\n\n{source}"
                    )
                post = actions.create_post(
                    author=replier, thread=thread, source=source, reply_to=reply_to
                )
                if post.status != "published" and i < 2:
                    actions.approve_post(moderator=by_name["morgan"], post=post)
                last = post
        # Every practice topic gets at least one conversation, spread across the regional groups.
        groups = list(Space.objects.filter(kind=Space.Kind.REGIONAL).order_by("position"))
        for index, topic in enumerate(
            Topic.objects.exclude(threads__isnull=False).order_by("name")
        ):
            space = groups[index % len(groups)]
            author = self._author_for(space, users, rng, staff)
            thread = actions.start_thread(
                author=author,
                space=space,
                topic=topic,
                title=f"{topic.name}: what is working in {space.region.name}?",
                source=f"Sharing practice on {topic.name.lower()}. {topic.description}. "
                "What has worked in your area, and what would you do differently?",
                tags=[topic.slug.split("-")[0]],
            )
            count += 1
            for _i in range(rng.randint(1, 3)):
                replier = self._author_for(space, users, rng, staff, exclude=author)
                actions.create_post(author=replier, thread=thread, source=rng.choice(REPLIES))
        # Views as if the threads had been read for a while (in use, the flush job adds them
        # from the page's counts), so the lists look like a network people use.
        seeded = Thread.objects.filter(deleted_at__isnull=True).order_by("pk")
        views = {t.pk: t.post_count * rng.randint(4, 60) for t in seeded}
        if views:
            views[min(views)] += 1200  # one well-read thread, its count abbreviated ("1.3k")
        actions.add_thread_views(slot=0, counts=views)
        return count

    def _author_for(self, space, users, rng, staff, exclude=None):
        candidates = [
            u for u in users if u != exclude and actions.permissions.can_post_in_space(u, space)
        ]
        return rng.choice(candidates) if candidates else staff
