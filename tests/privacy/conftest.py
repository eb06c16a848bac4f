import pytest

from tests.factories import make_moderator, make_user


@pytest.fixture
def adult(db):
    return make_user(username="adele", display_name="Adele Practitioner")


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
