"""Server-side SVG bar charts of the analytics tables (no script, no library, no download).

Each chart is a horizontal bar chart of one column of a table: one bar per row, the label on
the left, the figure at the end of the bar. It is an accessible image (``role="img"``, a
``<title>`` and a ``<desc>`` naming the table beside it, which holds the same numbers);
suppressed cells get no bar and the ``<5`` mark. Every text is escaped.
"""

from __future__ import annotations

from html import escape

from bot.analytics.privacy import Table

BAR, GAP, LABEL_W, WIDTH, VALUE_W = 18, 6, 190, 640, 70
MAX_BARS = 40


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(table: Table, desc: str) -> str:
    """The SVG of ``table``'s chart column (empty string when the table has no chart).

    Args:
        table: a suppressed table.
        desc: the chart's description (says the numbers are in the table beside it).
    """
    if table.chart is None or not table.rows:
        return ""
    column = table.chart
    rows = table.rows[:MAX_BARS]
    values = [r.cells[column].shown_value() for r in rows]
    top = max([v for v in values if v is not None] or [0]) or 1
    height = len(rows) * (BAR + GAP) + GAP + 20
    span = WIDTH - LABEL_W - VALUE_W
    tid = escape(table.id)
    title = f"{table.title} – {table.columns[column]}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="chart-{tid}-title chart-{tid}-desc">',
        f'<title id="chart-{tid}-title">{escape(title)}</title>',
        f'<desc id="chart-{tid}-desc">{escape(desc)}</desc>',
        f'<text x="{LABEL_W}" y="14" class="chart-axis">{escape(table.columns[column])}</text>',
    ]
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = 20 + GAP + i * (BAR + GAP)
        text_y = y + BAR - 5
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{text_y}" text-anchor="end" class="chart-label">'
            f"{escape(_short(row.label))}</text>"
        )
        shown = row.cells[column].text()
        if value is not None and value > 0:
            width = max(1.0, span * float(value) / float(top))
            parts.append(
                f'<rect x="{LABEL_W}" y="{y}" width="{width:.1f}" height="{BAR}" '
                f'class="chart-bar" data-value="{escape(shown)}"/>'
            )
            end = LABEL_W + width + 4
        else:
            end = LABEL_W + 4
        parts.append(f'<text x="{end:.1f}" y="{text_y}" class="chart-value">{escape(shown)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
