"""Runs Debian's Chromium headless against a URL, records what it fetched, and reads its screenshots.

Nothing here needs a Python browser driver or an image library: Chromium's own `--dump-dom`,
`--screenshot` and `--log-net-log` switches give the DOM, the pixels and every request, and a
small PNG decoder (8-bit RGB or RGBA, not interlaced: what Chromium writes) reads the pixels.
"""

import contextlib
import json
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import pytest

TIMEOUT_SECONDS = 60
WINDOW_SIZE = (1100, 800)
# Headless, no sandbox (containers lack the user namespaces it needs), and none of the browser's own
# background traffic (updates, sync, metrics, field trials), so the NetLog shows only what the page asked for.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--mute-audio",
    # Chromium still calls home at start-up (updates, time, accounts); no name but the local ones
    # resolves, so none of that leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}",
)
# Schemes the browser serves itself, without a network request leaving the process.
INTERNAL_SCHEMES = ("data:", "about:", "chrome:", "chrome-untrusted:", "blob:")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def find_chromium() -> Path | None:
    found = shutil.which("chromium")
    if found is not None:
        return Path(found)
    default = Path("/usr/bin/chromium")
    return default if os.access(default, os.X_OK) else None


def require_chromium() -> Path:
    """Chromium's path; skips the test without it, except on CI (CI=true), where a missing browser fails."""
    chromium = find_chromium()
    if chromium is not None:
        return chromium
    if os.environ.get("CI") == "true":
        pytest.fail(
            "chromium is missing, and CI=true requires the browser tests to run: "
            "install it (apt-get install -y chromium) so /usr/bin/chromium exists",
            pytrace=False,
        )
    pytest.skip("chromium is not installed (apt-get install -y chromium); the browser test needs it")


@dataclass(frozen=True, slots=True)
class BrowserRun:
    stdout: str
    stderr: str
    netlog: Path


def dump_dom(chromium: Path, url: str, workdir: Path) -> BrowserRun:
    """Loads `url` and returns the DOM as Chromium serialises it once the page has loaded (in `stdout`)."""
    return _run(chromium, url, ["--dump-dom"], workdir / "dump-dom.netlog.json")


def take_screenshot(chromium: Path, url: str, png: Path, workdir: Path) -> BrowserRun:
    """Loads `url` in a window of WINDOW_SIZE and saves what it shows as the PNG `png`."""
    run = _run(chromium, url, [f"--screenshot={png}"], workdir / "screenshot.netlog.json")
    if not png.is_file():
        raise AssertionError(f"chromium wrote no screenshot at {png}; its stderr:\n{run.stderr}")
    return run


def _run(chromium: Path, url: str, extra_flags: Sequence[str], netlog: Path) -> BrowserRun:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-", ignore_cleanup_errors=True) as profile:
        command = [
            str(chromium),
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--log-net-log={netlog}",
            "--net-log-capture-mode=Default",
            *extra_flags,
            url,
        ]
        # A session of its own: on a timeout, the whole group (browser, zygote, renderers) is killed.
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            _, stderr = process.communicate(timeout=10)
            raise AssertionError(
                f"chromium did not finish within {TIMEOUT_SECONDS} s on {url}, so it was killed; "
                f"its stderr:\n{stderr}"
            ) from None
        except BaseException:
            _kill_group(process)
            process.wait()
            raise
    # Chromium logs plenty of harmless noise (D-Bus, GPU, fonts) on stderr: it matters only on failure.
    if process.returncode != 0:
        raise AssertionError(f"chromium exited with {process.returncode} on {url}; its stderr:\n{stderr}")
    return BrowserRun(stdout=stdout, stderr=stderr, netlog=netlog)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited already
        os.killpg(process.pid, signal.SIGKILL)


def requested_urls(netlog: Path) -> set[str]:
    """The URLs of the requests the page made, read from the events of this NetLog that carry a `url`.

    Chromium fetches things of its own even with background networking off (update checks, network
    time, the Google sign-in probe); they are not the page's doing, so they are left out. A request
    is the browser's own when its network isolation key names a top-frame site that no navigation of
    this run had ("null" for most; google.com for the sign-in probe); every request made from a page
    carries the top-frame site of that page, and events without a key (connection jobs, preconnects)
    count as the page's unless their URL is one the browser itself requested.

    A browser killed mid-run leaves the JSON unterminated; the events written until then still count.
    """
    return _classify(netlog)[0]


def browser_urls(netlog: Path) -> set[str]:
    """The URLs Chromium requested on its own behalf in this NetLog (see `requested_urls`)."""
    return _classify(netlog)[1]


def _classify(netlog: Path) -> tuple[set[str], set[str]]:
    urls: dict[int, set[str]] = {}
    top_frame_sites: dict[int, str] = {}
    main_frames: set[int] = set()
    for event in _netlog_events(netlog.read_text(encoding="utf-8", errors="replace")):
        params, source = event.get("params"), event.get("source")
        if not isinstance(params, dict):
            continue
        source_id = source.get("id") if isinstance(source, dict) else None
        key = source_id if isinstance(source_id, int) else -1
        url = params.get("url")
        if isinstance(url, str):
            urls.setdefault(key, set()).add(url)
        isolation_key = params.get("network_isolation_key")
        if isinstance(isolation_key, str):
            top_frame_sites[key] = isolation_key.split(" ", 1)[0]
        if params.get("request_type") == "main frame":
            main_frames.add(key)
    page_sites = {top_frame_sites[key] for key in main_frames if key in top_frame_sites}
    own = {
        key
        for key, site in top_frame_sites.items()
        if key in urls and key not in main_frames and site not in page_sites
    }
    browser = {url for key in own for url in urls[key]}
    page = {url for key, found in urls.items() if key not in own for url in found if url not in browser}
    page |= {url for key in main_frames for url in urls.get(key, set())}
    return page, browser


def _netlog_events(text: str) -> Iterator[dict[str, Any]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict):
        events = document.get("events")
        if isinstance(events, list):
            yield from (event for event in events if isinstance(event, dict))
        return
    # Truncated: read the events one by one until the text stops making sense.
    start = text.find('"events"')
    if start < 0:
        return
    position = text.find("[", start)
    if position < 0:
        return
    decoder = json.JSONDecoder()
    position += 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return
        try:
            event, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            return
        if isinstance(event, dict):
            yield event


def is_local(url: str) -> bool:
    """Whether `url` stays on this machine: the loopback host, or a scheme the browser answers itself."""
    if url.startswith(INTERNAL_SCHEMES):
        return True
    parts = urlsplit(url)
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


class _ElementsById(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, tuple[str, dict[str, str]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.found.setdefault(attributes["id"], (tag, attributes))


def elements_by_id(dom: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Each element of `dom` (HTML, as `--dump-dom` prints it) that has an id: its tag and attributes."""
    parser = _ElementsById()
    parser.feed(dom)
    parser.close()
    return parser.found


# ---- PNG ------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}  # colour type: RGB, RGBA


def read_png(path: Path) -> npt.NDArray[np.uint8]:
    """The pixels of an 8-bit, non-interlaced RGB or RGBA PNG, as an array of shape (height, width, 3)."""
    data = path.read_bytes()
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{path} is not a PNG")
    position = len(PNG_SIGNATURE)
    header: tuple[int, ...] | None = None
    compressed = bytearray()
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length  # length, type, body, CRC
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError(f"{path} has no IHDR chunk")
    width, height, bit_depth, colour_type, _, _, interlace = header
    if bit_depth != 8 or colour_type not in _CHANNELS or interlace != 0:
        raise ValueError(
            f"{path}: only 8-bit, non-interlaced RGB or RGBA is supported "
            f"(bit depth {bit_depth}, colour type {colour_type}, interlace {interlace})"
        )
    channels = _CHANNELS[colour_type]
    raw = _unfilter(zlib.decompress(bytes(compressed)), width * channels, height, channels)
    return np.frombuffer(bytes(raw), dtype=np.uint8).reshape(height, width, channels)[:, :, :3]


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> bytearray:
    """Undoes the per-row filters (None, Sub, Up, Average, Paeth) of PNG's filter method 0."""
    if len(raw) < height * (stride + 1):
        raise ValueError("the PNG's image data is shorter than its header says")
    out = bytearray(height * stride)
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                if i >= bpp:
                    a, c = line[i - bpp], previous[i - bpp]
                else:
                    a = c = 0
                b = previous[i]
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + predictor) & 0xFF
        elif kind != 0:
            raise ValueError(f"unknown PNG filter type {kind} on row {row}")
        out[row * stride : (row + 1) * stride] = line
        previous = line
    return out


def hex_colour(colour: str) -> tuple[int, int, int]:
    value = colour.removeprefix("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def count_pixels(pixels: npt.NDArray[np.uint8], colour: str, tolerance: int = 0) -> int:
    """How many pixels are within `tolerance` of `colour` (e.g. "#1d4ed8") on every channel."""
    target = np.array(hex_colour(colour), dtype=np.int16)
    close = np.all(np.abs(pixels.astype(np.int16) - target) <= tolerance, axis=-1)
    return int(np.count_nonzero(close))


def commonest_colours(pixels: npt.NDArray[np.uint8], count: int = 10) -> list[tuple[str, int]]:
    """The `count` most frequent colours, as ("#rrggbb", pixels), most frequent first."""
    flat = pixels.reshape(-1, 3).astype(np.uint32)
    packed = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    order = np.argsort(counts)[::-1][:count]
    return [(f"#{int(values[i]):06x}", int(counts[i])) for i in order]
