"""Charts in documents: a summary's trend or share drawn as a PNG, the same picture in Word and PDF.

A kind's data hold a chart as plain data — `chart(kind, title, labels, series)` — so it is part of
the data hash and of a reproducible document. When the document is filled, each chart becomes a
picture: an inline image in the .docx (docxtpl's InlineImage) and a data: URL in the HTML WeasyPrint
prints. The series are the ones the pages chart with ECharts (the home page's causes pie, the funds
report's bars), in ECharts' default colours, so a page and its document look alike.

Why Pillow and not a charting library: Word needs a raster image (it shows no SVG from python-docx),
Pillow is already installed as WeasyPrint's dependency, and these are only bars and a pie. matplotlib
would add ~40 MB and its font cache for that; pygal draws SVG only and needs cairosvg (and cairo) for
PNG. Drawing with Pillow is deterministic: the same data give the same bytes.
"""

import functools
import io
import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# ECharts' default palette (the pages' charts)
PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"]
FONTS = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
         "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"]
WIDTH, HEIGHT = 1500, 720  # pixels; printed 150 mm wide (about 250 dpi)
WIDTH_MM = 150


def chart(kind: str, title: str, labels: list[str], series: list[tuple[str, list]]) -> dict:
    """A chart as data: `kind` "bar" (one bar per series in each label's group) or "pie" (one series)."""
    return {"chart": kind, "title": title, "labels": [str(x) for x in labels],
            "series": [{"name": str(name), "values": [float(v or 0) for v in values]} for name, values in series]}


def is_chart(value) -> bool:
    return isinstance(value, dict) and "chart" in value and "series" in value


@functools.lru_cache(maxsize=8)
def _font(size: int):
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)  # no CJK font: Latin only (labels may show boxes)


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.2f}"


def _nice(top: float) -> float:
    """A round axis maximum at or above `top` (1, 2, 5 × 10ⁿ)."""
    if top <= 0:
        return 1.0
    step = 10 ** (len(str(int(top))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if m * step >= top:
            return m * step
    return 10 * step


def _bar(draw: ImageDraw.ImageDraw, spec: dict) -> None:
    labels, series = spec["labels"], spec["series"]
    small = _font(24)
    left, right, top, bottom = 150, WIDTH - 40, 110, HEIGHT - 110
    # legend
    x = left
    for i, s in enumerate(series):
        draw.rectangle([x, 68, x + 36, 90], fill=PALETTE[i % len(PALETTE)])
        draw.text((x + 44, 79), s["name"], font=small, fill="#333", anchor="lm")
        x += 70 + int(draw.textlength(s["name"], font=small))
    peak = _nice(max([v for s in series for v in s["values"]] or [0]))
    for k in range(6):  # grid lines and the value axis
        y = bottom - (bottom - top) * k / 5
        draw.line([left, y, right, y], fill="#e0e6f1", width=2)
        draw.text((left - 12, y), _number(peak * k / 5), font=small, fill="#6e7079", anchor="rm")
    draw.line([left, bottom, right, bottom], fill="#6e7079", width=2)
    if not labels:
        return
    group = (right - left) / len(labels)
    bar = max(4.0, min(60.0, group * 0.7 / max(1, len(series))))
    for j, label in enumerate(labels):
        start = left + group * j + (group - bar * len(series)) / 2
        for i, s in enumerate(series):
            value = s["values"][j] if j < len(s["values"]) else 0
            height = (bottom - top) * value / peak
            x0 = start + bar * i
            if height > 0:
                draw.rectangle([x0, bottom - height, x0 + bar - 2, bottom], fill=PALETTE[i % len(PALETTE)])
            if len(labels) * len(series) <= 24 and value:
                draw.text((x0 + bar / 2, bottom - height - 6), _number(value), font=_font(20), fill="#333", anchor="md")
        text = label if len(labels) <= 12 else label[-5:]
        draw.text((left + group * (j + 0.5), bottom + 14), text, font=small if len(labels) <= 12 else _font(18),
                  fill="#333", anchor="ma")


def _pie(draw: ImageDraw.ImageDraw, spec: dict) -> None:
    values = spec["series"][0]["values"] if spec["series"] else []
    total = sum(values)
    small = _font(24)
    cx, cy, r = 420, 400, 260
    if not total:
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline="#e0e6f1", width=4)
        return
    angle = -90.0
    for i, (label, value) in enumerate(zip(spec["labels"], values)):
        sweep = 360 * value / total
        if sweep > 0:
            draw.pieslice([cx - r, cy - r, cx + r, cy + r], angle, angle + sweep, fill=PALETTE[i % len(PALETTE)])
        angle += sweep
    draw.ellipse([cx - r * 0.55, cy - r * 0.55, cx + r * 0.55, cy + r * 0.55], fill="white")  # a ring, as on the page
    y = 130
    for i, (label, value) in enumerate(zip(spec["labels"], values)):
        if y > HEIGHT - 40:
            break
        draw.rectangle([800, y - 11, 836, y + 11], fill=PALETTE[i % len(PALETTE)])
        share = 100 * value / total
        draw.text((850, y), f"{label}  {_number(value)}（{share:.1f}%）", font=small, fill="#333", anchor="lm")
        y += 42


@functools.lru_cache(maxsize=64)
def _png(spec_json: str) -> bytes:
    spec = json.loads(spec_json)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH / 2, 30), spec["title"], font=_font(34), fill="#333", anchor="mm")
    (_pie if spec["chart"] == "pie" else _bar)(draw, spec)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def chart_png(spec: dict) -> bytes:
    return _png(json.dumps(spec, sort_keys=True, ensure_ascii=False))


def replaced(data, convert):
    """`data` with every chart replaced by convert(png bytes): for docxtpl an InlineImage, for HTML a URL."""
    if is_chart(data):
        return convert(chart_png(data))
    if isinstance(data, dict):
        return {k: replaced(v, convert) for k, v in data.items()}
    if isinstance(data, list):
        return [replaced(v, convert) for v in data]
    return data


def has_chart(data) -> bool:
    if is_chart(data):
        return True
    if isinstance(data, dict):
        return any(has_chart(v) for v in data.values())
    if isinstance(data, list):
        return any(has_chart(v) for v in data)
    return False
