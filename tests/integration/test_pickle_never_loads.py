"""A pickle planted where a model artifact belongs is never executed: artifacts are JSON, read as JSON.

The payload is a real one: unpickling it creates a marker file. It replaces a version's model
artifact on disk, once alone (its checksum no longer matches the row) and once with the row's
checksum and size rewritten to match it, so that only the artifact format stands between the
file and code execution. Every endpoint that reads the model must then answer 500
`model_unreadable` naming the version, and the marker must never appear. The source is also
scanned: nothing in the package imports a deserialiser that can run code.
"""

import ast
import hashlib
import pathlib
import pickle
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import create_async_engine

from anomaly.adapters.sql.tables import models
from anomaly.bootstrap import create_app
from tests.conftest import file_settings
from tests.support.payloads import batch
from tests.support.stored import stored_file

Client = AsyncTestClient[Litestar]

SERIES = "cpu"
POINT = {"timestamp": 1_705_100_000, "value": 12.0}

REPOSITORY = Path(__file__).resolve().parents[2]
# The package, and the migrations that the wheel ships inside it (as anomaly/migrations).
SCANNED = (REPOSITORY / "src" / "anomaly", REPOSITORY / "migrations")

# Deserialisers that can construct arbitrary objects, hence run code, from bytes.
UNSAFE_MODULES = ("pickle", "_pickle", "cPickle", "cloudpickle", "dill", "joblib", "marshal", "shelve")
_UNSAFE = "|".join(UNSAFE_MODULES)
_IMPORT_STATEMENT = re.compile(r"^[ \t]*(?:import|from)[ \t]+[^\n(]*(?:\([^)]*\))?", re.MULTILINE)
_UNSAFE_NAME = re.compile(rf"(?<![\w.])(?:{_UNSAFE})(?![\w])")
_DYNAMIC_IMPORT = re.compile(rf"""(?:import_module|__import__)\(\s*['"](?:{_UNSAFE})\b""")
_PICKLING_READERS = re.compile(r"\ballow_pickle\s*=\s*True\b|\bread_pickle\s*\(")


class _TouchesMarker:
    """Unpickling an instance calls `Path.touch(marker)`: proof, by a file, that the bytes were executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[pathlib.Path]]:
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def weaponised_pickle(marker: Path) -> bytes:
    return pickle.dumps(_TouchesMarker(marker), protocol=pickle.HIGHEST_PROTOCOL)


def test_the_payload_is_live(tmp_path: Path) -> None:
    """The payload does what the other tests rely on: loading it creates its marker."""
    marker = tmp_path / "control-marker"
    # The one place a pickle is ever loaded: ours, to show that the payload runs code.
    pickle.loads(weaponised_pickle(marker))
    assert marker.exists()


async def _model_path(url: str, root: Path) -> Path:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            statement = sa.select(models.c.model_path).where(
                models.c.series_id == SERIES, models.c.version == 1
            )
            return stored_file(root, (await connection.execute(statement)).scalar_one())
    finally:
        await engine.dispose()


async def _match_the_row_to(url: str, content: bytes) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(
                sa.update(models)
                .where(models.c.series_id == SERIES, models.c.version == 1)
                .values(model_sha256=hashlib.sha256(content).hexdigest(), model_size=len(content))
            )
            assert result.rowcount == 1
    finally:
        await engine.dispose()


@pytest.mark.parametrize("row_matches_the_pickle", [False, True], ids=["bytes-only", "bytes-and-checksum"])
async def test_a_pickle_in_place_of_a_model_artifact_is_never_executed(
    sqlite_url: str, tmp_path: Path, row_matches_the_pickle: bool
) -> None:
    settings = file_settings(tmp_path, sqlite_url)
    marker = tmp_path / "executed"
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post(f"/fit/{SERIES}", json=batch([10.0, 11.0, 9.0]))
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 1

    model_file = await _model_path(sqlite_url, tmp_path)
    assert model_file.is_file()
    assert model_file.is_relative_to(settings.model_state_folder)
    payload = weaponised_pickle(marker)
    model_file.write_bytes(payload)
    if row_matches_the_pickle:
        await _match_the_row_to(sqlite_url, payload)
    reason = "is not a model" if row_matches_the_pickle else "does not match its checksum"

    # A new app: nothing verified before the swap is cached.
    async with AsyncTestClient(app=create_app(settings)) as client:
        responses = {
            "predict": await client.post(f"/predict/{SERIES}", json=POINT),
            "pinned predict": await client.post(f"/predict/{SERIES}?version=1", json=POINT),
            "detect": await client.post(f"/detect/{SERIES}", json=batch([10.0, 50.0])),
            "version detail": await client.get(f"/series/{SERIES}/versions/1"),
            "plot": await client.get("/plot", params={"series_id": SERIES}),
        }
        for name, response in responses.items():
            assert response.status_code == 500, f"{name}: {response.status_code} {response.text}"
            body = response.json()
            assert body["error"] == "model_unreadable", f"{name}: {body}"
            assert f"version 1 of series '{SERIES}'" in body["message"], f"{name}: {body}"
            assert reason in body["message"], f"{name}: {body}"
            assert str(tmp_path) not in body["message"], f"{name} leaks a path: {body}"
        # The row and the planted file are left as they were: reading is not repairing.
        listed = await client.get(f"/series/{SERIES}/versions")
        assert [item["version"] for item in listed.json()["items"]] == [1]

    assert model_file.read_bytes() == payload
    assert not marker.exists(), "the planted pickle was executed"


def _python_sources() -> list[Path]:
    return sorted(path for root in SCANNED for path in root.rglob("*.py"))


def unsafe_deserialisation(source: str) -> list[str]:
    """Every import of an unsafe deserialiser, and every numpy or pandas read that allows pickles."""
    found = [
        statement.group(0).strip()
        for statement in _IMPORT_STATEMENT.finditer(source)
        if _UNSAFE_NAME.search(statement.group(0))
    ]
    found += [match.group(0) for match in _DYNAMIC_IMPORT.finditer(source)]
    found += [match.group(0) for match in _PICKLING_READERS.finditer(source)]
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import pickle",
        "import os, pickle as p",
        "from pickle import loads",
        "    from _pickle import Unpickler",
        "import marshal",
        "import shelve",
        "import dill",
        "from joblib import load",
        "from joblib import (\n    dump,\n    load,\n)",
        "module = importlib.import_module('pickle')",
        'module = __import__("marshal")',
        "array = np.load(file, allow_pickle=True)",
        "array = numpy.load(file, mmap_mode='r', allow_pickle = True)",
        "frame = pandas.read_pickle(path)",
    ],
)
def test_the_scanner_sees_unsafe_deserialisation(source: str) -> None:
    assert unsafe_deserialisation(source), source


@pytest.mark.parametrize(
    "source",
    [
        "import json",
        "from anomaly.domain.model_format import decode_model",
        "array = np.load(file)",
        "array = np.load(file, allow_pickle=False)",
        "# the on-disk format is JSON, never a pickle",
    ],
)
def test_the_scanner_lets_safe_code_through(source: str) -> None:
    assert unsafe_deserialisation(source) == [], source


def test_no_module_can_deserialise_code() -> None:
    sources = _python_sources()
    assert REPOSITORY / "src" / "anomaly" / "domain" / "model_format.py" in sources
    assert len(sources) > 20
    findings = {
        str(path.relative_to(REPOSITORY)): found
        for path in sources
        if (found := unsafe_deserialisation(path.read_text(encoding="utf-8")))
    }
    assert findings == {}


def test_no_module_imports_a_pickling_module_by_its_syntax_tree() -> None:
    """The same rule on the parsed source, which no formatting of an import statement can slip past."""
    imported: dict[str, list[str]] = {}
    for path in _python_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            unsafe = [name for name in names if name.split(".")[0] in UNSAFE_MODULES]
            if unsafe:
                imported.setdefault(str(path.relative_to(REPOSITORY)), []).extend(unsafe)
    assert imported == {}
