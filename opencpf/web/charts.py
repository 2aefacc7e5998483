"""Accessible bar charts drawn on the server as SVG (no script): a title, a description, a label and a value
on every bar; the page puts the same figures in a data table next to it."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from opencpf.core.money import format_eur

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 22, 8, 260, 360, 130


def bar_chart(*, chart_id: str, title: str, data: list[tuple[str, int]], money: bool = False) -> SafeString:
    if not data:
        return mark_safe("")
    top = max((v for _, v in data), default=0) or 1
    height = len(data) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH

    def fmt(value: int) -> str:
        return format_eur(value) if money else f"{value:,}".replace(",", "\u202f")

    desc = "; ".join(f"{label} : {fmt(value)}" for label, value in data)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" width="100%" class="oc-chart">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(data):
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = max(int(BAR_WIDTH * value / top), 1 if value else 0)
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end" font-size="13" fill="#161616">{escape(short)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{BAR_HEIGHT}" fill="#000091"></rect>'
            f'<text x="{LABEL_WIDTH + w + 6}" y="{y + 16}" font-size="13" fill="#161616">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)
