"""A self-contained HTML page that draws a version's training data, its expected value and its band."""

import html
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from anomaly.domain.detection import Threshold
from anomaly.domain.model_kind import Model

# The chart is an inline SVG computed here: the page loads nothing (no script, no font, no CDN), so it
# renders the same on a closed network, and its Content-Security-Policy forbids any request.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

WIDTH, HEIGHT = 960, 420
LEFT, RIGHT, TOP, BOTTOM = 110, 20, 20, 50
# More points than pixels only blur the line; each column keeps its extremes, so spikes stay visible.
MAX_DRAWN_POINTS = 2 * (WIDTH - LEFT - RIGHT)
MAX_MARKED_ANOMALIES = 1000
# Timestamps in these ranges read as Unix seconds or milliseconds; others are shown as numbers.
_UNIX_SECONDS = range(0, 10**10)
_UNIX_MILLISECONDS = range(10**11, 10**14)
_LARGEST = sys.float_info.max


@dataclass(frozen=True, slots=True)
class PlotInput:
    series_id: str
    version: int
    model: Model
    threshold: Threshold
    timestamps: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]


def render_plot_page(plot: PlotInput) -> str:
    title = f"{plot.series_id}, version {plot.version}"
    judgement = plot.model.judge(plot.timestamps, plot.values, plot.threshold)
    flagged = judgement.flagged
    marked = min(flagged, MAX_MARKED_ANOMALIES)
    summary = plot.model.summary()
    lower, upper = summary.band(plot.threshold.k)
    direction = f", {plot.threshold.direction.value}" if plot.threshold.direction else ""
    stats = (
        f"{plot.model.kind} model, {summary.points_used} points, mean {summary.mean:.6g}, "
        f"std {summary.std:.6g}; normal band (k = {plot.threshold.k:g}{direction}): "
        f"{lower:.6g} to {upper:.6g}"
        + f"; {flagged} training points flagged"
        + (f" ({marked} of them marked, evenly spread)" if marked < flagged else "")
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 24px; color: #1f2933; background: #fff; }}
  h1 {{ font-size: 20px; margin: 0 0 4px; }}
  p {{ margin: 0 0 16px; color: #52606d; }}
  svg {{ display: block; max-width: 100%; height: auto; }}
  .legend span {{ margin-right: 18px; }}
  .swatch {{ display: inline-block; width: 14px; height: 10px; margin-right: 6px; vertical-align: middle; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(stats)}</p>
{_svg(plot.model, plot.threshold, *_in_time_order(plot.timestamps, plot.values, judgement.anomaly))}
<p class="legend">
  <span><i class="swatch" style="background:#1d4ed8"></i>training data</span>
  <span><i class="swatch" style="background:#111827;height:2px"></i>expected value</span>
  <span><i class="swatch" style="background:#bfdbfe;border:1px dashed #2563eb"></i>normal band</span>
  <span><i class="swatch" style="background:#dc2626"></i>points the model flags</span>
</p>
</body>
</html>
"""


def _in_time_order(
    timestamps: npt.NDArray[np.int64], values: npt.NDArray[np.float64], anomaly: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """An update's points may repeat a time or step back; they are drawn in time order."""
    if timestamps.shape[0] < 2 or bool(np.all(timestamps[1:] >= timestamps[:-1])):
        return timestamps, values, anomaly
    order = np.argsort(timestamps, kind="stable")
    return timestamps[order], values[order], anomaly[order]


def _svg(
    model: Model,
    threshold: Threshold,
    timestamps: npt.NDArray[np.int64],
    ys: npt.NDArray[np.float64],
    anomaly: npt.NDArray[np.bool_],
) -> str:
    # The band is drawn at the data's own times, so a seasonal band follows the cycle.
    drawn = _drawn(timestamps.shape[0])
    band = model.band(timestamps[drawn], threshold)
    low, high = _value_range(ys, band.expected, band.lower, band.upper)
    x_of, y_of = _x_positions(timestamps), _y_positions(low, high)

    band_x = x_of[drawn].tolist()
    tops, bottoms = y_of(band.upper).tolist(), y_of(band.lower).tolist()
    band_area = " ".join(
        f"{x:.1f},{y:.1f}"
        for x, y in [*zip(band_x, tops, strict=True), *reversed(list(zip(band_x, bottoms, strict=True)))]
    )
    expected_line = _polyline(band_x, y_of(band.expected).tolist())
    upper_line, lower_line = _polyline(band_x, tops), _polyline(band_x, bottoms)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in _downsample(x_of, y_of(ys)))
    flagged = np.flatnonzero(anomaly)
    if flagged.shape[0] > MAX_MARKED_ANOMALIES:
        flagged = flagged[np.linspace(0, flagged.shape[0] - 1, MAX_MARKED_ANOMALIES).astype(np.intp)]
    marks = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#dc2626"/>'
        for x, y in zip(x_of[flagged].tolist(), y_of(ys[flagged]).tolist(), strict=True)
    )
    return f"""<svg id="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"
     width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="training data, expected value and band">
  <rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" fill="#f8fafc"
        stroke="#cbd5e1"/>
  <polygon id="band" points="{band_area}" fill="#bfdbfe" stroke="#bfdbfe" stroke-width="1" opacity="0.8"/>
  <polyline id="expected" points="{expected_line}" fill="none" stroke="#111827" stroke-width="2"
        stroke-dasharray="6 4"/>
  <polyline id="data" points="{line}" fill="none" stroke="#1d4ed8" stroke-width="1.5"/>
  <polyline id="upper" points="{upper_line}" fill="none" stroke="#2563eb" stroke-width="1"
        stroke-dasharray="2 3"/>
  <polyline id="lower" points="{lower_line}" fill="none" stroke="#2563eb" stroke-width="1"
        stroke-dasharray="2 3"/>
  {marks}
  {_axis_labels(int(timestamps[0]), int(timestamps[-1]), low, high)}
</svg>"""


# Every coordinate is finite for any finite data: differences of float64s overflow (1e308 - -1e308)
# and spans of subnormals underflow, and distinct int64 timestamps past 2**53 become equal floats.
def _value_range(
    ys: npt.NDArray[np.float64],
    expected: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
) -> tuple[float, float]:
    """The values the chart spans, low < high, both finite: the data and the band around it."""
    data_low, data_high = float(ys.min()), float(ys.max())
    low = min(data_low, float(lower.min()), float(expected.min()))
    high = max(data_high, float(upper.max()), float(expected.max()))
    # Keep the band in view, but not a band so wide that the data becomes a flat line. In Python
    # floats a spread that overflows is infinite, and then cuts nothing. Each term of the mean is
    # divided first, so that it cannot overflow.
    spread = (data_high - data_low) or abs(float(np.sum(expected / expected.shape[0]))) or 1.0
    low, high = max(low, data_low - 2 * spread), min(high, data_high + 2 * spread)
    if high <= low:
        # One unit either side, or a sliver of the value where a unit is lost in its rounding.
        pad = max(1.0, abs(low) * 2.0**-40)
        low, high = max(low - pad, -_LARGEST), min(high + pad, _LARGEST)
    return low, high


def _x_positions(timestamps: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Each timestamp's x: offsets from the first, exact in int64, as a fraction of the time span."""
    first, last = int(timestamps[0]), int(timestamps[-1])
    offsets = (timestamps - np.int64(first)).astype(np.float64)
    return LEFT + offsets * ((WIDTH - RIGHT - LEFT) / max(last - first, 1))


def _y_positions(low: float, high: float) -> Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    """The y of values, clipped to low..high: in units of a power of two near the range's largest
    magnitude, in which no difference overflows and no span underflows, and scaling is exact."""
    exponent = math.frexp(max(abs(low), abs(high)))[1]
    low_scaled, high_scaled = math.ldexp(low, -exponent), math.ldexp(high, -exponent)
    ratio = (TOP - (HEIGHT - BOTTOM)) / (high_scaled - low_scaled)

    def positions(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        scaled = np.ldexp(np.clip(values, low, high), -exponent)
        y: npt.NDArray[np.float64] = (HEIGHT - BOTTOM) + (scaled - low_scaled) * ratio
        return y

    return positions


def _drawn(count: int) -> npt.NDArray[np.intp]:
    """The indices at which the band is drawn: every point, or evenly spread ones beyond a pixel each."""
    if count <= MAX_DRAWN_POINTS:
        return np.arange(count)
    return np.linspace(0, count - 1, MAX_DRAWN_POINTS).astype(np.intp)


def _polyline(xs: list[float], ys: list[float]) -> str:
    # A band of one point is drawn one pixel wide, so that it shows.
    if len(xs) == 1:
        xs, ys = [xs[0] - 0.5, xs[0] + 0.5], [ys[0], ys[0]]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def _axis_labels(first: int, last: int, low: float, high: float) -> str:
    labels = [
        (LEFT - 8, TOP + 12, "end", f"{high:.5g}"),
        (LEFT - 8, HEIGHT - BOTTOM, "end", f"{low:.5g}"),
        (LEFT, HEIGHT - BOTTOM + 20, "start", _time_label(first)),
        (WIDTH - RIGHT, HEIGHT - BOTTOM + 20, "end", _time_label(last)),
    ]
    return "".join(
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="12" fill="#52606d">'
        f"{html.escape(text)}</text>"
        for x, y, anchor, text in labels
    )


def _time_label(timestamp: int) -> str:
    if timestamp in _UNIX_SECONDS:
        seconds = float(timestamp)
    elif timestamp in _UNIX_MILLISECONDS:
        seconds = timestamp / 1000
    else:
        return str(timestamp)
    return f"{timestamp} ({datetime.fromtimestamp(seconds, UTC):%Y-%m-%d %H:%M:%S} UTC)"


def _downsample(xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]) -> list[tuple[float, float]]:
    """The points of the data line: all of them, or each column's lowest and highest."""
    if xs.shape[0] <= MAX_DRAWN_POINTS:
        return list(zip(xs.tolist(), ys.tolist(), strict=True))
    buckets = np.array_split(np.arange(xs.shape[0]), MAX_DRAWN_POINTS // 2)
    points: list[tuple[float, float]] = []
    for bucket in buckets:
        lowest, highest = bucket[np.argmin(ys[bucket])], bucket[np.argmax(ys[bucket])]
        for index in sorted({int(lowest), int(highest)}):
            points.append((float(xs[index]), float(ys[index])))
    return points
