"""`GET /plot` in a real browser: Debian's Chromium, headless, draws the chart and fetches nothing else.

The service runs as an operator starts it (`anomaly migrate`, then `anomaly serve`), learns one series
with a spike over HTTP, and Chromium loads its plot page twice: once to print the DOM, once to take a
screenshot, each time logging every request it makes. Without Chromium these tests are skipped, except
on CI (CI=true), where a missing browser is a failure.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt
import pytest

from tests.support.browser import (
    browser_urls,
    commonest_colours,
    count_pixels,
    dump_dom,
    elements_by_id,
    hex_colour,
    is_local,
    read_png,
    requested_urls,
    require_chromium,
    take_screenshot,
)
from tests.support.payloads import batch
from tests.support.server import anomaly, running_server

SERIES_ID = "cpu"
SPIKE_AT = 200
# A slow wave with a little deterministic jitter around 50, and one spike far above the band.
VALUES = [50 + 5 * math.sin(index / 8) + ((index * 37) % 11 - 5) * 0.4 for index in range(300)]
VALUES[SPIKE_AT] = 140.0

# The page's colours (plot_page.py); the band is drawn at opacity 0.8 over the plot background.
DATA_LINE = "#1d4ed8"
BAND = "#bfdbfe"
BAND_OPACITY = 0.8
PLOT_BACKGROUND = "#f8fafc"
EXPECTED_LINE = "#111827"
ANOMALY_MARK = "#dc2626"

# The embedded defaults (SQLite and folders under the working directory), whatever the shell exports.
DEFAULT_STORAGE = {"DATABASE_URL": "", "MODEL_STATE_FOLDER": "", "TRAINING_DATA_FOLDER": ""}


def blend(colour: str, under: str, opacity: float) -> str:
    mixed = (
        round(opacity * top + (1 - opacity) * bottom)
        for top, bottom in zip(hex_colour(colour), hex_colour(under), strict=True)
    )
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


BAND_ON_BACKGROUND = blend(BAND, PLOT_BACKGROUND, BAND_OPACITY)  # #cae1fe; Chromium paints #cbe1fe


@dataclass(frozen=True, slots=True)
class Served:
    base_url: str
    page_url: str
    folder: Path


@dataclass(frozen=True, slots=True)
class Rendered:
    dom: str
    screenshot: Path
    pixels: npt.NDArray[np.uint8]
    page_urls: set[str]
    browser_urls: set[str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("plot-in-browser")
    migrated = anomaly("migrate", cwd=folder, env=DEFAULT_STORAGE)
    assert migrated.returncode == 0, migrated.stderr
    with running_server(folder, env=DEFAULT_STORAGE) as base_url:
        fitted = httpx.post(f"{base_url}/fit/{SERIES_ID}", json=batch(VALUES), timeout=10)
        assert fitted.status_code == 200, fitted.text
        assert fitted.json()["version"] == 1
        yield Served(base_url=base_url, page_url=f"{base_url}/plot?series_id={SERIES_ID}", folder=folder)


@pytest.fixture(scope="module")
def rendered(served: Served) -> Rendered:
    chromium = require_chromium()
    dom = dump_dom(chromium, served.page_url, served.folder)
    screenshot = served.folder / "plot.png"
    shot = take_screenshot(chromium, served.page_url, screenshot, served.folder)
    return Rendered(
        dom=dom.stdout,
        screenshot=screenshot,
        pixels=read_png(screenshot),
        page_urls=requested_urls(dom.netlog) | requested_urls(shot.netlog),
        browser_urls=browser_urls(dom.netlog) | browser_urls(shot.netlog),
    )


def points_of(attributes: dict[str, str]) -> list[tuple[float, float]]:
    """An SVG polygon's or polyline's `points`, as (x, y) pairs."""
    pairs = [pair.split(",") for pair in attributes["points"].split()]
    return [(float(x), float(y)) for x, y in pairs]


def band_edges(dom: str) -> tuple[float, float]:
    """The top and bottom y of the band polygon, which a gaussian model draws flat: a rectangle."""
    ys = sorted({y for _, y in points_of(elements_by_id(dom)["band"][1])})
    assert len(ys) == 2, f"a gaussian band has one top and one bottom, not {ys}"
    return ys[0], ys[1]


def test_the_page_renders_the_chart(rendered: Rendered) -> None:
    elements = elements_by_id(rendered.dom)
    assert {"chart", "data", "band", "expected", "upper", "lower"} <= elements.keys(), sorted(elements)
    assert elements["chart"][0] == "svg"
    tag, data = elements["data"]
    assert tag == "polyline"
    points = data["points"].split()
    assert len(points) == len(VALUES)  # fewer than the page's limit: every point is drawn
    assert data["stroke"] == DATA_LINE
    tag, band = elements["band"]
    assert tag == "polygon"
    top, bottom = band_edges(rendered.dom)
    assert bottom - top > 10
    # The band spans the data from its first point to its last.
    band_xs = [x for x, _ in points_of(band)]
    data_xs = [x for x, _ in points_of(data)]
    assert (min(band_xs), max(band_xs)) == (min(data_xs), max(data_xs))
    # A gaussian model expects its mean at every time: a flat line inside the band, at its edges the bounds.
    for name, rows in [("expected", None), ("upper", {top}), ("lower", {bottom})]:
        tag, line = elements[name]
        assert tag == "polyline", name
        ys = {y for _, y in points_of(line)}
        assert len(ys) == 1, (name, ys)
        if rows is not None:
            assert ys == rows, (name, ys, rows)
    [expected_y] = {y for _, y in points_of(elements["expected"][1])}
    assert top < expected_y < bottom
    assert "<script" not in rendered.dom.lower()


def test_the_chart_is_drawn(rendered: Rendered) -> None:
    pixels = rendered.pixels
    assert pixels.shape[:2] == (800, 1100)
    top, bottom, left, right = plot_area(pixels)
    width = right - left
    assert width > 800, f"the plot area is only {width} px wide: {(top, bottom, left, right)}"
    plot = pixels[top:bottom, left:right]

    # The data line runs across the whole plot.
    line = colour_mask(plot, DATA_LINE, tolerance=16)
    assert int(line.sum()) > width, f"only {int(line.sum())} pixels of the data line's colour"
    covered = int(line.any(axis=0).sum())
    assert covered > 0.9 * width, f"the data line shows in {covered} of the plot's {width} columns"

    # The band: the commonest colour after the background, a full-width stripe as tall as its polygon.
    commonest = [colour for colour, _ in commonest_colours(plot, 2)]
    assert commonest[0] == PLOT_BACKGROUND, commonest
    assert close(commonest[1], BAND_ON_BACKGROUND, tolerance=3), (
        f"no band ({BAND_ON_BACKGROUND}): {commonest}"
    )
    # (The lines drawn over it hide part of some rows: a row counts when a third of it shows the band.)
    band_rows = np.nonzero(colour_mask(plot, BAND_ON_BACKGROUND, tolerance=3).mean(axis=1) > 0.3)[0]
    band_extent = int(band_rows.max() - band_rows.min()) + 1
    band_top, band_bottom = band_edges(rendered.dom)
    band_height = band_bottom - band_top
    assert abs(band_extent - band_height) <= 3, (band_extent, band_height)
    band_pixels = count_pixels(plot, BAND_ON_BACKGROUND, tolerance=3)
    assert band_pixels > 0.5 * width * band_height, (band_pixels, width, band_height)

    # The expected value (a gaussian model's mean): a dashed line across the plot.
    expected_row = float(colour_mask(plot, EXPECTED_LINE, tolerance=16).mean(axis=1).max())
    assert expected_row > 0.4, (
        f"no row is even half dashes of the expected value's colour (at most {expected_row:.0%})"
    )

    # The spike's red mark: at the top of the plot (the spike is the highest value), above the spike.
    # It straddles the plot's top edge, so a few pixels beyond the plot area count.
    margin = 6
    around = pixels[top - margin : bottom + margin, left - margin : right + margin]
    rows, columns = np.nonzero(colour_mask(around, ANOMALY_MARK, tolerance=24))
    assert rows.size >= 5, "no red anomaly mark in the chart"
    spike_column = margin + width * SPIKE_AT / (len(VALUES) - 1)
    assert abs(float(columns.mean()) - spike_column) <= 4, (float(columns.mean()), spike_column)
    assert abs(float(rows.mean()) - margin) <= 4, "the red mark is not at the top of the plot"


def test_no_request_leaves_localhost(served: Served, rendered: Rendered) -> None:
    # The page itself must be among them, or the filtering of the browser's own traffic went wrong.
    assert served.page_url in rendered.page_urls, (rendered.page_urls, rendered.browser_urls)
    outside = sorted(url for url in rendered.page_urls if not is_local(url))
    assert outside == [], f"the page made requests beyond this machine: {outside}"
    # (Chromium's own update, time and sign-in probes are in `rendered.browser_urls`: not the page's doing.)
    response = httpx.get(served.page_url, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    directives = [directive.strip() for directive in response.headers["content-security-policy"].split(";")]
    assert "default-src 'none'" in directives


def test_a_version_that_does_not_exist_is_a_json_404(served: Served) -> None:
    for params, error in [
        ({"series_id": SERIES_ID, "version": "7"}, "version_not_found"),
        ({"series_id": "no-such-series"}, "series_not_found"),
    ]:
        response = httpx.get(f"{served.base_url}/plot", params=params, timeout=10)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["success"] is False
        assert body["error"] == error


def plot_area(pixels: npt.NDArray[np.uint8]) -> tuple[int, int, int, int]:
    """Top, bottom, left, right (exclusive) of the plot: the rows and columns mostly painted with its
    background or its band (a stray anti-aliased pixel of text elsewhere does not count)."""
    inside = colour_mask(pixels, PLOT_BACKGROUND, tolerance=2) | colour_mask(
        pixels, BAND_ON_BACKGROUND, tolerance=3
    )
    rows = np.nonzero(inside.mean(axis=1) > 0.5)[0]
    columns = np.nonzero(inside.mean(axis=0) > 0.25)[0]
    assert rows.size > 0, f"no plot in the screenshot; its colours: {commonest_colours(pixels)}"
    return int(rows.min()), int(rows.max()) + 1, int(columns.min()), int(columns.max()) + 1


def colour_mask(pixels: npt.NDArray[np.uint8], colour: str, tolerance: int) -> npt.NDArray[np.bool_]:
    target = np.array(hex_colour(colour), dtype=np.int16)
    mask: npt.NDArray[np.bool_] = np.all(np.abs(pixels.astype(np.int16) - target) <= tolerance, axis=-1)
    return mask


def close(colour: str, expected: str, tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(hex_colour(colour), hex_colour(expected), strict=True))
