"""The values the rows template shows, computed in Python, are what the template's own filters and tags
gave: `floatformat:"-1"` for the figures, `{% url %}` for the links."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from bangfu.compliance.display import number
from bangfu.links import Links


@pytest.mark.parametrize("value", [0, 1, 2.0, 12, 1000, 2.5, 2.25, 2.35, 1 / 3, 7 / 3, 0.05, 0.04, 999.96,
                                   Decimal("3.00"), Decimal("3.45"), Decimal("2.05"), -1.5])
def test_number_is_floatformat_minus_one(value):
    assert number(value) == floatformat(value, -1)


def test_number_of_nothing_is_empty():
    assert number(None) == ""


@pytest.mark.parametrize("name", ["registry:household_detail", "registry:person_detail", "registry:team_detail",
                                  "registry:organization_detail", "programmes:pairing_detail"])
def test_links_are_reverse(name):
    links = Links()
    for pk in (1, 42, 987654):
        assert links(name, pk) == reverse(name, args=[pk])


def test_select_options_mark_the_chosen_value_and_escape_the_labels():
    from bangfu.compliance.display import select_options

    html = select_options([(1, "甲 & 乙"), (12, "<b>丙</b>")], 12)
    assert html == ('<option value="">—</option><option value="1">甲 &amp; 乙</option>'
                    '<option value="12" selected>&lt;b&gt;丙&lt;/b&gt;</option>')
    assert 'selected' not in select_options([(1, "甲")], None)
    assert 'value="450224" selected' in select_options([("450224", "县"), ("4502241", "乡")], "450224")
