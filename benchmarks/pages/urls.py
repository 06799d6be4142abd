"""The product's URLs plus the bench's baselines (benchmarks/bench_pages.py); not in bangfu/urls.py."""

from django.urls import path

from bangfu.urls import handler500, urlpatterns as product  # noqa: F401
from benchmarks.pages.views import baseline_html, baseline_json

urlpatterns = [
    path("bench/baseline/", baseline_html),
    path("bench/baseline.json", baseline_json),
    *product,
]
