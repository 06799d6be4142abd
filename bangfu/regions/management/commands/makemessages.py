"""Django's makemessages, also collecting `L("…")`: the modules that declare many labels at import time
(document kinds and their fields, the quality rates) write `L = gettext_lazy` to keep those tables
readable, and xgettext only knows the names Django gives it. Django has no option for more keywords;
overriding `xgettext_options` is its documented way (docs/i18n.md). Any app's command would do: this
one lives in the first of ours."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=L"]
