"""The `bangfu` command: Django's management commands under the product's name.

    bangfu demo [--seed N] [--scale K]     load the demo county 融安县
    bangfu regions load [COUNTY]           division codes; villages of one county
    bangfu createuser USERNAME --role ...  an account bound to a region
    bangfu serve [--bind H:P] [--migrate]  production: gunicorn + the background worker (docs/deploy.md)
    bangfu migrate / runserver / ...       everything manage.py offers
"""

import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    if sys.argv[1:2] == ["serve"]:
        from bangfu.serve import serve

        sys.exit(serve(sys.argv[2:]))
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["bangfu", *sys.argv[1:]])
    finally:
        # The process ends here: spare the interpreter's collections at exit a walk over every object
        # still alive (Django's, polars', pypinyin's phrases …): 0.4-0.6 s at the end of each `bangfu
        # import`, docs/performance.md. They are still freed as their modules are cleared; only reference
        # cycles are left to the operating system.
        gc.freeze()


if __name__ == "__main__":
    main()
