"""Settings of the page benchmark only (benchmarks/bench_pages.py): the product's, with a URLconf that
adds the baseline views. Never used by the product; `bangfu serve` is started with
DJANGO_SETTINGS_MODULE=benchmarks.pages.settings for the bench."""

from pathlib import Path

from bangfu.settings import *  # noqa: F403
from bangfu.settings import TEMPLATES

ROOT_URLCONF = "benchmarks.pages.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]
