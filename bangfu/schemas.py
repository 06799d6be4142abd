"""Bounded numbers for the API's inputs, one annotated type per kind of number.

Every id, page, size and count the API reads is one of these, so that a number beyond what the
database holds (int64 ids, int32 counts) or below what makes sense is a 422 with the field named,
never a 500 from the database or from slicing with a negative number.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1
PAGE_MAX = 1_000_000  # 50 rows a page: far beyond any list of a province

Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
PageNumber = Annotated[int, Field(ge=1, le=PAGE_MAX)]
PageSize = Annotated[int, Field(ge=1, le=500)]
Limit = Annotated[int, Field(ge=1, le=200)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]  # what a PositiveIntegerField holds
SmallCount = Annotated[int, Field(ge=0, le=32767)]  # what a PositiveSmallIntegerField holds (days, weeks, grades)
Minimum = Annotated[float, Field(ge=0, lt=10**7)]  # an obligation's minimum: numeric(8, 1)
# A region filter as the API takes it: digits of a division code or its prefix (what a code means, and
# whether it is in the caller's scope, is the selectors' to say), never arbitrary text.
YEAR_MIN, YEAR_MAX = 1949, 2200
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]  # a budget's, scheme's or holiday table's year
RegionCode = Annotated[str, Field(pattern=r"^[0-9]*$", max_length=12)]
RegionLength = Literal[2, 4, 6, 9, 12]  # digits of a region code prefix: province … village
# Several objects at once (a batch of applications or cases to advance): each an Id, a page's worth at most.
IdList = Annotated[list[Id], Field(min_length=1, max_length=1000)]


def _decimal(max_digits: int, decimal_places: int):
    """A decimal the database column numeric(max_digits, decimal_places) holds: more digits, or more
    places than it keeps, is a 422 naming the field (never "numeric field overflow" from PostgreSQL,
    which SQLite would have stored). Infinity and NaN are refused too."""
    return Annotated[Decimal, Field(max_digits=max_digits, decimal_places=decimal_places)]


Money = _decimal(14, 2)  # funds, allocations, disbursements, subsidy caps and amounts, measures' money
Quantity = _decimal(12, 2)  # subsidy quantities, rates and standards; a project's scale
Income = _decimal(12, 2)  # a household's incomes (registry)
ActivityQuantity = _decimal(8, 1)  # an activity's quantity, an obligation's minimum
Score = _decimal(5, 1)  # a term grade's score and full marks
