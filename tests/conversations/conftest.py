import pytest

from community.conversations import actions
from tests.factories import make_moderator, make_user


@pytest.fixture
def adult(db):
    return make_user(username="adele", display_name="Adele Practitioner")


@pytest.fixture
def other_adult(db):
    return make_user(username="bram", display_name="Bram Commissioner")


@pytest.fixture
def outsider(db):
    return make_user(username="olly", display_name="Olly Outsider")


@pytest.fixture
def minor(db):
    return make_user(
        role="young_person", username="kidd", display_name="Quiet Otter 12", age_band="13-15"
    )


@pytest.fixture
def moderator(db):
    return make_moderator(username="modna", display_name="Mod Na")


@pytest.fixture
def centre_staff(db):
    return make_user(role="staff", username="stella", display_name="Stella Staff")


@pytest.fixture
def conversation(adult, other_adult):
    """Adele wrote to Bram, and Bram replied."""
    convo = actions.start_conversation(
        sender=adult, recipients=[other_adult], subject="Minibus grants",
        source="Which council fund paid for your minibus?",
    )  # fmt: skip
    actions.reply(author=other_adult, conversation=convo, source="The parish **transport** fund.")
    return convo
