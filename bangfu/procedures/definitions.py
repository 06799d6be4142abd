"""Procedures as data: a definition names its states, the transitions between them, the roles
and the scope level each transition needs, and the working days each state may last.

An app configures a procedure by calling `register(Definition(...))` at import time (subsidies
does in subsidies/procedure.py; identification, exit and monitoring will do the same). Nothing
here knows what the case is about: the subject is a kind ("subsidies.application") and an id.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise

# How far down a user's region may sit to take a step: the length of the scope's code prefix.
# A township step (乡镇验收) needs a user at the township or above (prefix of 9 digits or fewer).
COUNTY, TOWNSHIP, VILLAGE = 6, 9, 12


@dataclass(frozen=True)
class State:
    key: str
    label: Promise
    deadline_days: int | None = None  # working days the state may last before the case is overdue
    final: bool = False


@dataclass(frozen=True)
class Transition:
    key: str
    label: Promise
    source: str
    target: str
    roles: frozenset[str]
    level: int = VILLAGE  # the longest scope prefix allowed (COUNTY: county users and above)
    after_notice: bool = False  # refused while the case's notice is open or has an unresolved objection
    system: bool = False  # taken only by a service that does the work (an inspection, a payment), never directly


@dataclass(frozen=True)
class Definition:
    key: str
    label: Promise
    subject_kind: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    # the rows of a public notice for these cases: (headers, rows as dicts keyed like headers' keys);
    # personal values under the keys "id_number", "phone" or "bank_account" are masked by the selector
    notice_rows: Callable | None = field(default=None, compare=False)
    notice_columns: tuple[tuple[str, Promise], ...] = ()
    notice_roles: frozenset[str] = frozenset()  # who posts notices and records and resolves objections

    def state(self, key: str) -> State:
        return next(s for s in self.states if s.key == key)

    def transition(self, key: str) -> Transition | None:
        return next((t for t in self.transitions if t.key == key), None)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == state]


DEFINITIONS: dict[str, Definition] = {}


def register(definition: Definition) -> Definition:
    keys = {s.key for s in definition.states}
    assert definition.initial in keys, definition.key
    for t in definition.transitions:
        assert t.source in keys and t.target in keys, (definition.key, t.key)
    DEFINITIONS[definition.key] = definition
    return definition


def definition_get(key: str) -> Definition:
    from bangfu.errors import NotFound

    try:
        return DEFINITIONS[key]
    except KeyError:
        from django.utils.translation import gettext as _

        raise NotFound(_("流程“%(k)s”不存在") % {"k": key}) from None
