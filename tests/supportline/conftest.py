from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.supportline.builders import (
    make_case,
    make_expert,
    make_supportline_staff,
)


@pytest.fixture
def staff():
    return make_supportline_staff(display_name="Sam Staff")


@pytest.fixture
def expert():
    return make_expert(display_name="Eve Expert")


@pytest.fixture
def requester():
    return make_user(role="commissioner", display_name="Rita Requester")


@pytest.fixture
def case(requester):
    return make_case(requester)
