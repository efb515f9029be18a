"""The chart in a periodic report's email: this period against the previous one, as a PNG made with
Pillow (no plotting library, nothing to render on a server). Left: received, resolved, overdue; right:
SLA compliance per stage in percent. Labels are short and bilingual."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 720, 360
CURRENT, PREVIOUS = (31, 119, 180), (174, 199, 232)
INK, GRID = (40, 40, 40), (220, 220, 220)
COUNTS = (("received", "Diterima/Received"), ("resolved", "Selesai/Resolved"), ("overdue", "Lewat/Overdue"))
STAGE_SHORT = {"verification": "Verif.", "disposition": "Dispo.", "first_response": "Tangg./Resp.",
               "resolution": "Selesai/Resol.", "citizen_reply": "Pelapor/Citizen"}


def _panel(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], title: str,
           bars: Sequence[tuple[str, float, float]], top: float) -> None:
    left, upper, right, lower = box
    font = ImageFont.load_default()
    draw.text((left, upper - 18), title, fill=INK, font=font)
    draw.line((left, lower, right, lower), fill=INK)
    for step in range(1, 5):  # grid at quarters of the scale
        y = lower - (lower - upper) * step / 4
        draw.line((left, y, right, y), fill=GRID)
        draw.text((left - 34, y - 6), f"{top * step / 4:g}"[:5], fill=INK, font=font)
    if not bars:
        draw.text((left + 10, (upper + lower) // 2), "Tidak ada data / no data", fill=INK, font=font)
        return
    slot = (right - left) / len(bars)
    for index, (label, now, before) in enumerate(bars):
        x = left + index * slot + slot * 0.15
        width = slot * 0.33
        for offset, value, colour in ((0.0, before, PREVIOUS), (width, now, CURRENT)):
            height = (lower - upper) * (value / top if top else 0)
            draw.rectangle((x + offset, lower - height, x + offset + width - 2, lower), fill=colour)
        draw.text((x, lower + 4), label[:20], fill=INK, font=font)


def _scale(values: Sequence[float]) -> float:
    peak = max(values, default=0.0)
    return float(max(4, int(peak * 1.1) + 1)) if peak > 0 else 4.0


def chart_png(report: Mapping[str, Any]) -> bytes:
    figures = report["figures"]
    counts = [(label, float(figures[key]["current"] or 0), float(figures[key]["previous"] or 0))
              for key, label in COUNTS]
    stages = [(STAGE_SHORT.get(stage, stage), float(trend["current"] or 0), float(trend["previous"] or 0))
              for stage, trend in report["sla_by_stage"].items()]
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    draw.text((16, 8), f"{report['scope_name']}  {report['from']} - {report['to']}", fill=INK, font=font)
    draw.rectangle((16, 26, 28, 36), fill=CURRENT)
    draw.text((32, 25), "periode ini / this period", fill=INK, font=font)
    draw.rectangle((200, 26, 212, 36), fill=PREVIOUS)
    draw.text((216, 25), "periode lalu / previous period", fill=INK, font=font)
    _panel(draw, (56, 80, 340, 320), "Aduan / Complaints", counts, _scale([v for _, a, b in counts for v in (a, b)]))
    _panel(draw, (410, 80, 700, 320), "SLA % per tahap / per stage", stages, 100.0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
