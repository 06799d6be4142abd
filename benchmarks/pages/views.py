"""Baselines of the page benchmark: the framework's floor for a page of the same shape.

`baseline_html` renders the product's base template (menu for the signed-in user: session, user and
its region read as on every page) with one table of `rows` × `cols` cells of constant text;
`baseline_json` returns the JSON document named by `doc` (a product response the bench saved before
the run) from memory, serialised anew on every request. Neither reads anything else: what a product
page costs beyond its baseline is Bangfu's own — its queries, scope, masking, decryption."""

import json
import os
from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

CELL = "示例内容 12"  # about the length of a product cell (a name, a number, a date)


@login_required
def baseline_html(request):
    rows = min(int(request.GET.get("rows", "50")), 1000)
    cols = min(int(request.GET.get("cols", "8")), 50)
    header = [f"列{i + 1}" for i in range(cols)]
    return render(request, "bench/baseline.html",
                  {"header": header, "rows": [[CELL] * cols for _r in range(rows)]})


@cache
def _document(name: str):
    folder = Path(os.environ.get("BANGFU_BENCH_PAGES_DIR", "/tmp"))
    return json.loads((folder / f"{Path(name).name}.json").read_text())


@login_required
def baseline_json(request):
    return JsonResponse(_document(request.GET.get("doc", "api")), safe=False, json_dumps_params={"ensure_ascii": False})
