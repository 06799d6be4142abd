"""The subsidy rule, in SQL: amount = least(accepted quantity × rate, members × cap per member,
cap per household), the caps that the scheme leaves empty left out (not coalesced: one plain
LEAST/MIN over columns and constants, which PostgreSQL and SQLite both evaluate alike).

And the acceptance check of one inspection against the scheme's standards (inclusive bounds)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import DecimalField, ExpressionWrapper, F, Value
from django.db.models.functions import Least
from django.utils.translation import gettext as _

from bangfu.subsidies.models import AcceptanceStandard, StandardKind, SubsidyScheme

AMOUNT = DecimalField(max_digits=14, decimal_places=2)


def amount_expression(scheme: SubsidyScheme):
    """The amount of each application of `scheme` as one expression over its own columns."""
    terms = [F("accepted_quantity") * Value(scheme.rate, output_field=AMOUNT)]
    if scheme.cap_per_member is not None:
        terms.append(F("members") * Value(scheme.cap_per_member, output_field=AMOUNT))
    if scheme.cap_per_household is not None:
        terms.append(Value(scheme.cap_per_household, output_field=AMOUNT))
    return ExpressionWrapper(Least(*terms) if len(terms) > 1 else terms[0], output_field=AMOUNT)


def amount_of(scheme: SubsidyScheme, *, quantity: Decimal, members: int) -> Decimal:
    """The same rule for one application, for previews and messages (the SQL is what is stored)."""
    terms = [quantity * scheme.rate]
    if scheme.cap_per_member is not None:
        terms.append(members * scheme.cap_per_member)
    if scheme.cap_per_household is not None:
        terms.append(scheme.cap_per_household)
    return min(terms).quantize(Decimal("0.01"))


def _bounds(standard: AcceptanceStandard) -> str:
    low, high = ((standard.low, standard.high) if standard.kind == StandardKind.NUMBER
                 else (standard.low_date, standard.high_date))
    unit = standard.unit
    if low is not None and high is not None:
        return f"{low}–{high}{unit}"
    if low is not None:
        return _("不低于 %(v)s%(u)s") % {"v": low, "u": unit}
    return _("不高于 %(v)s%(u)s") % {"v": high, "u": unit}


def parse_value(standard: AcceptanceStandard, raw):
    """A measured value as the standard's kind, or a message naming the standard."""
    if raw is None or raw == "":
        raise ValueError(_("请填写“%(s)s”的实测值") % {"s": standard.label})
    if standard.kind == StandardKind.DATE:
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise ValueError(_("“%(s)s”须为日期(如 2026-03-15)") % {"s": standard.label}) from None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValueError(_("“%(s)s”须为数字") % {"s": standard.label}) from None
    if not value.is_finite():
        raise ValueError(_("“%(s)s”须为数字") % {"s": standard.label})
    return value


def standard_failure(standard: AcceptanceStandard, value) -> str | None:
    """None when `value` is within the standard's inclusive bounds, else the failure's message."""
    low, high = ((standard.low, standard.high) if standard.kind == StandardKind.NUMBER
                 else (standard.low_date, standard.high_date))
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    return _("%(s)s：实测 %(v)s%(u)s，标准 %(b)s") % {"s": standard.label, "v": value, "u": standard.unit,
                                                     "b": _bounds(standard)}
