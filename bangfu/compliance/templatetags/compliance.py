from django import template

from bangfu.compliance import display

register = template.Library()


@register.filter
def due_lines(rows):
    """{% for r in rows|due_lines %}: what each line of a due list shows (compliance.display), no query."""
    return display.due_lines(rows)
