"""Shared test fixtures: regions of Guangxi loaded once per test database, users per role."""

import pytest

from bangfu.regions.models import Region


def _load_regions():
    from bangfu.regions.services import regions_load_base, regions_load_villages

    if not Region.objects.filter(code="450224000000").exists():
        regions_load_base(only="45")
    if not Region.objects.filter(prefix__startswith="450224", level=5).exists():
        regions_load_villages(county="450224")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _load_regions()


@pytest.fixture
def regions(db):
    """The division codes of Guangxi with 融安县's villages (reloaded after a flushing test)."""
    _load_regions()
    return Region.objects
