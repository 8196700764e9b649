"""Bar charts drawn on the server as inline SVG: the geometry is computed here, the
template (counts/_bar_chart.html) only writes it out. No script and nothing fetched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The drawing's own units (viewBox); the page scales it to its width.
WIDTH = 720
HEIGHT = 180
# Room under the bars for the labels.
LABEL_ROOM = 18


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    # Whether the label is written under the bar (a few are, so they do not overlap).
    labelled: bool
    # The label's anchor: the middle of the bar.
    middle: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT + LABEL_ROOM
    baseline: int = HEIGHT

    @property
    def first_label(self) -> str:
        return self.bars[0].label if self.bars else ""

    @property
    def last_label(self) -> str:
        return self.bars[-1].label if self.bars else ""


def bar_chart(points: Sequence[tuple[str, int]], *, labels: int = 6) -> BarChart:
    """Bars for (label, value) points, left to right, each as tall as its value in
    proportion to the largest (which fills the height). A bar above zero is at least
    one unit tall, so a small day stays visible. About `labels` labels are written,
    evenly spaced, always the last one."""
    peak = max((value for _label, value in points), default=0)
    count = len(points)
    slot = WIDTH / count if count else WIDTH
    gap = min(slot * 0.2, 4)
    step = max(1, -(-count // labels)) if labels else count + 1
    bars = []
    for n, (label, value) in enumerate(points):
        height = round(value / peak * HEIGHT, 2) if peak else 0
        if value and height < 1:
            height = 1
        x = round(n * slot + gap / 2, 2)
        bars.append(
            Bar(
                x=x,
                y=round(HEIGHT - height, 2),
                width=round(slot - gap, 2),
                height=height,
                value=value,
                label=label,
                labelled=(count - 1 - n) % step == 0,
                middle=round(n * slot + slot / 2, 2),
            )
        )
    return BarChart(bars=bars, peak=peak)
