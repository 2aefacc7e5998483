"""Accessible bar charts drawn on the server as SVG (no script): a title, a description, a label and a value
on every bar; the page puts the same figures in a data table next to it. Built with format_html (escaped)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from opencpf.core.money import format_eur

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 22, 8, 260, 360, 130
_BAR = (
    '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#161616">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="{}" fill="#000091"></rect>'
    '<text x="{}" y="{}" font-size="13" fill="#161616">{}</text>'
)


def bar_chart(*, chart_id: str, title: str, data: list[tuple[str, int]], money: bool = False) -> SafeString:
    if not data:
        return format_html("{}", "")
    top = max((v for _, v in data), default=0) or 1
    height = len(data) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH

    def fmt(value: int) -> str:
        return format_eur(value) if money else f"{value:,}".replace(",", "\u202f")

    desc = "; ".join(f"{label} : {fmt(value)}" for label, value in data)
    bars = []
    for i, (label, value) in enumerate(data):
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = max(int(BAR_WIDTH * value / top), 1 if value else 0)
        short = label if len(label) <= 38 else label[:37] + "…"
        bars.append(
            (LABEL_WIDTH - 6, y + 16, short, LABEL_WIDTH, y, w, BAR_HEIGHT, LABEL_WIDTH + w + 6, y + 16, fmt(value))
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" '
        'width="100%" class="oc-chart"><title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>{5}</svg>',
        chart_id,
        width,
        height,
        title,
        desc,
        format_html_join("", _BAR, bars),
    )
