"""The status report's charts as images for the Word file, drawn by matplotlib from the same `Chart` the page
hands to ECharts. Chinese labels need a CJK font (Debian's fonts-noto-cjk); without one the text falls back
to the default font. A suppressed value (None) is drawn as no bar, marked "<5"."""

import functools
import io

import matplotlib

matplotlib.use("Agg")  # no screen: draw to files only

from matplotlib import font_manager
from matplotlib.figure import Figure

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")


@functools.cache
def cjk_family() -> str | None:
    available = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in available), None)


def chart_png(chart, *, width: float = 6.3, height: float = 3.0) -> bytes:
    """The chart as a PNG image (inches at 150 dpi), bars side by side or stacked, or lines."""
    family = cjk_family()
    rc = {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"], "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        figure = Figure(figsize=(width, height), dpi=150)
        axes = figure.add_subplot()
        positions = list(range(len(chart.categories)))
        count = max(len(chart.series), 1)
        bottom = [0] * len(positions)
        for index, (name, values) in enumerate(chart.series):
            heights = [value or 0 for value in values]
            if chart.kind == "line":
                axes.plot(positions, [value if value is not None else float("nan") for value in values], marker="o",
                          label=name)  # fmt: skip
                continue
            if chart.stacked:
                bars = axes.bar(positions, heights, bottom=bottom, label=name)
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
            else:
                step = 0.8 / count
                shifted = [p - 0.4 + step * (index + 0.5) for p in positions]
                bars = axes.bar(shifted, heights, width=step, label=name)
            for bar, value in zip(bars, values, strict=True):
                if value is None:
                    axes.annotate("<5", (bar.get_x() + bar.get_width() / 2, bar.get_y()), ha="center", va="bottom",
                                  fontsize=7)  # fmt: skip
        axes.set_xticks(positions, chart.categories, rotation=30, ha="right", fontsize=8)
        axes.set_title(chart.title, fontsize=10)
        axes.yaxis.get_major_locator().set_params(integer=True)
        if len(chart.series) > 1:
            axes.legend(fontsize=7)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
