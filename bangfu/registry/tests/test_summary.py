"""The home page's registry counts (selectors.registry_summary): one reading of the scope's households."""

from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.registry.selectors import registry_summary
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_household, village_of

pytestmark = pytest.mark.django_db


def test_the_summary_counts_households_and_people_by_status_cause_area_and_assistance(regions,
                                                                                      django_assert_num_queries):
    made = [make_household(township=TOWNSHIP_A, members=2, main_cause="illness", dibao=True),
            make_household(township=TOWNSHIP_A, members=3, main_cause="disability", status="exited",
                           exited_on=date(2020, 12, 1), tekun=True),
            make_household(township=TOWNSHIP_B, members=1, main_cause="illness", dibao=True, wubao=True),
            make_household(township=TOWNSHIP_B, members=3, main_cause="")]
    size = {h.pk: Household.objects.get(pk=h.pk).size for h in made}
    county = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
    with django_assert_num_queries(2):  # the households grouped, the townships' names
        summary = registry_summary(scope=county)
    assert (summary.households, summary.people) == (4, sum(size.values()))
    assert [(row["status"], row["households"], row["people"]) for row in summary.by_status] == [
        ("exited", 1, size[made[1].pk]), ("poor", 3, size[made[0].pk] + size[made[2].pk] + size[made[3].pk])]
    assert [(row["cause"], row["households"]) for row in summary.by_cause] == [("illness", 2), ("disability", 1)]
    assert summary.assistance == {"dibao": 2, "wubao": 1, "tekun": 1}
    townships = {row["name"]: (row["households"], row["people"]) for row in summary.by_area}
    a, b = Region.objects.get(code=TOWNSHIP_A).name, Region.objects.get(code=TOWNSHIP_B).name
    assert townships == {a: (2, size[made[0].pk] + size[made[1].pk]), b: (2, size[made[2].pk] + size[made[3].pk])}

    village = Scope(role=Role.VILLAGE_TEAM, prefix=village_of(TOWNSHIP_A).code)
    with django_assert_num_queries(1):  # a village has no sub-regions to name
        in_village = registry_summary(scope=village)
    assert (in_village.households, in_village.by_area) == (2, [])
