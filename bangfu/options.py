"""The <option>s of a drop-down written in Python: a template loop an option at a time (a county's 160
townships and villages, a reveal form's reasons on every personal field of a page) cost more than the
rest of its page's template (docs/performance.md, Pages)."""

from html import escape  # what django.utils.html.escape calls, without its lazy-string wrapper

from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe


class Choices(BaseChoiceIterator):
    """(value, label) pairs a choice field and its widget take as they are. Given a list, Django
    normalizes it anew on each assignment (the field's, then its widget's) and deep-copies it with
    every form: for a county's 170 regions, 70 % of the household list's filter form (docs/performance.md,
    Pages). Plain pairs only (no groups); never changed once made, so shared, not copied."""

    def __init__(self, pairs):
        self.pairs = tuple(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def select_options(choices, chosen, *, blank: str | None = "—") -> SafeString:
    """An <option> per (value, label), the one whose value is `chosen` selected; first, with `blank`,
    the empty choice (no filter)."""
    chosen = "" if chosen is None else str(chosen)
    options = "".join(f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
                      f"{escape(str(label))}</option>" for value, label in choices)
    return mark_safe(options if blank is None else f'<option value="">{escape(blank)}</option>{options}')
