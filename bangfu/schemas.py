"""Bounded numbers for the API's inputs, one annotated type per kind of number.

Every id, page, size and count the API reads is one of these, so that a number beyond what the
database holds (int64 ids, int32 counts) or below what makes sense is a 422 with the field named,
never a 500 from the database or from slicing with a negative number.
"""

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
# A region filter as the API takes it: digits of a division code or its prefix (what a code means, and
# whether it is in the caller's scope, is the selectors' to say), never arbitrary text.
Year = Annotated[int, Field(ge=1949, le=2200)]  # a budget's, scheme's or holiday table's year
RegionCode = Annotated[str, Field(pattern=r"^[0-9]*$", max_length=12)]
RegionLength = Literal[2, 4, 6, 9, 12]  # digits of a region code prefix: province … village
