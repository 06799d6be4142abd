"""The <option>s of a drop-down written in Python: a template loop an option at a time (a county's 160
townships and villages, a reveal form's reasons on every personal field of a page) cost more than the
rest of its page's template (docs/performance.md, Pages)."""

from html import escape  # what django.utils.html.escape calls, without its lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe


def select_options(choices, chosen, *, blank: str | None = "—") -> SafeString:
    """An <option> per (value, label), the one whose value is `chosen` selected; first, with `blank`,
    the empty choice (no filter)."""
    chosen = "" if chosen is None else str(chosen)
    options = "".join(f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
                      f"{escape(str(label))}</option>" for value, label in choices)
    return mark_safe(options if blank is None else f'<option value="">{escape(blank)}</option>{options}')
