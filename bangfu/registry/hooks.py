"""What other apps ask to be told when the registry changes, called by the registry's services
(not signals, not save()): the rules app registers its monitoring check here from its
AppConfig.ready, so that a change of income or indicator that meets a monitoring trigger raises
a case at once (docs/rules.md). The registry imports no app above it."""

from collections.abc import Callable
from datetime import date

from django.utils import timezone

HOUSEHOLDS_CHANGED: list[Callable] = []


def households_changed_register(function: Callable) -> Callable:
    """`function(*, household_ids, by, on)` runs inside the writing transaction after the change."""
    if function not in HOUSEHOLDS_CHANGED:
        HOUSEHOLDS_CHANGED.append(function)
    return function


def households_changed(*, household_ids, by, on: date | None = None) -> None:
    ids = sorted({i for i in household_ids if i})
    if not ids:
        return
    on = on or timezone.localdate()
    for function in HOUSEHOLDS_CHANGED:
        function(household_ids=ids, by=by, on=on)
