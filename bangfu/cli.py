"""The `bangfu` command: Django's management commands under the product's name.

    bangfu demo [--seed N] [--scale K]     load the demo county 融安县
    bangfu regions load [COUNTY]           division codes; villages of one county
    bangfu createuser USERNAME --role ...  an account bound to a region
    bangfu serve [--bind H:P] [--migrate]  production: gunicorn + the background worker (docs/deploy.md)
    bangfu migrate / runserver / ...       everything manage.py offers
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    if sys.argv[1:2] == ["serve"]:
        from bangfu.serve import serve

        sys.exit(serve(sys.argv[2:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bangfu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
