"""The grid seed: street → communities → grids → areas (小区/楼栋 with aliases), loaded into an empty database.

Problems are collected with `path:line` and raised together as `SeedFileError`; nothing is half-loaded.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from bot.errors import Problem, SeedFileError

_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def default_seed_path() -> Path:
    return Path(__file__).resolve().parent / "grids.yaml"


@dataclass(slots=True)
class SeedArea:
    name: str
    aliases: list[str] = field(default_factory=list)
    buildings: list[str] = field(default_factory=list)
    building_aliases: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class SeedGrid:
    id: str
    name: str
    centre: tuple[float, float] | None
    polygon: list[list[float]] | None
    areas: list[SeedArea]


@dataclass(slots=True)
class SeedCommunity:
    id: str
    name: str
    centre: tuple[float, float] | None
    grids: list[SeedGrid]


@dataclass(slots=True)
class SeedData:
    street_id: str
    street_name: str
    communities: list[SeedCommunity]

    @property
    def grids(self) -> list[SeedGrid]:
        return [g for c in self.communities for g in c.grids]


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, node: Any, message: str, key: str | None = None) -> None:
        line = 1
        with contextlib.suppress(AttributeError, KeyError, TypeError):
            line = (node.lc.key(key)[0] if key is not None else node.lc.line) + 1
        self.problems.append(Problem(self.path, line, message))

    def text(self, node: CommentedMap, key: str, where: str) -> str | None:
        value = node.get(key)
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            self.problem(node, f"{where} needs a non-empty {key!r}", key if key in node else None)
            return None
        return str(value).strip()

    def ident(self, node: CommentedMap, where: str, seen: dict[str, str]) -> str | None:
        value = self.text(node, "id", where)
        if value is None:
            return None
        if not _ID.match(value):
            self.problem(node, f"id {value!r} must be lower-case ASCII letters, digits, - and _", "id")
            return None
        if value in seen:
            self.problem(node, f"id {value!r} is used twice (also {seen[value]})", "id")
            return None
        seen[value] = where
        return value

    def point(self, node: CommentedMap, key: str) -> tuple[float, float] | None:
        if key not in node or node[key] is None:
            return None
        value = node[key]
        if (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool)
                                                                  for v in value)
                and -90 <= value[0] <= 90 and -180 <= value[1] <= 180):
            return float(value[0]), float(value[1])
        self.problem(node, f"{key!r} must be [latitude, longitude], got {value!r}"[:200], key)
        return None

    def seq(self, node: CommentedMap, key: str, where: str, required: bool = True) -> CommentedSeq:
        value = node.get(key)
        if value is None and not required:
            return CommentedSeq()
        if not isinstance(value, CommentedSeq) or (required and not value):
            self.problem(node, f"{where} needs a non-empty list {key!r}", key if key in node else None)
            return CommentedSeq()
        return value

    def names(self, node: CommentedMap, key: str) -> list[str]:
        out = []
        for item in self.seq(node, key, "", required=False):
            if isinstance(item, str | int) and not isinstance(item, bool) and str(item).strip():
                out.append(str(item).strip())
            else:
                self.problem(node, f"{key!r} entries must be names, got {item!r}"[:200], key)
        return out


#: A grid file is a few hundred lines; anything this big is a mistake (a pasted export, a binary).
MAX_SEED_BYTES = 2_000_000


def load_seed_file(path: str | Path) -> SeedData:
    """Read and validate a seed file; raise `SeedFileError` listing every problem as `path:line: message`."""
    return load_seed_file_with_lines(path)[0]


def load_seed_file_with_lines(path: str | Path) -> tuple[SeedData, dict[str, int]]:
    """`load_seed_file`, and the line of each top-level key (an import names a removed grid at `communities:`)."""
    from bot.admin_files import ProblemCollector, yaml_loader

    path = Path(path)
    reader = _Reader(str(path))
    if not path.exists():
        raise SeedFileError([Problem(str(path), 0, "grid file not found")])
    collector = ProblemCollector(str(path), reader.problems)
    raw = collector.read_text(path, MAX_SEED_BYTES, "grid files", "one street's communities, grids and buildings")
    if raw is None:
        raise SeedFileError(reader.problems)
    try:
        doc = yaml_loader().load(raw)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1) if mark else 0
        raise SeedFileError([Problem(str(path), line, f"YAML syntax: {getattr(exc, 'problem', exc)}")]) from None
    except RecursionError:
        raise SeedFileError([Problem(str(path), 1, "nested too deeply to be a grid file")]) from None
    if not isinstance(doc, CommentedMap):
        raise SeedFileError([Problem(str(path), 1, "the seed must be a mapping with version, street, communities")])
    if doc.get("version") != 1:
        reader.problem(doc, "version must be 1", "version" if "version" in doc else None)
    street = doc.get("street")
    street_id = street_name = None
    if isinstance(street, CommentedMap):
        street_id = reader.ident(street, "street", {})
        street_name = reader.text(street, "name", "street")
    else:
        reader.problem(doc, "missing 'street:' with id and name", "street" if "street" in doc else None)
    seen_communities: dict[str, str] = {}
    seen_grids: dict[str, str] = {}
    communities: list[SeedCommunity] = []
    for cnode in reader.seq(doc, "communities", "the seed"):
        if not isinstance(cnode, CommentedMap):
            reader.problem(doc, "each community must be a mapping", "communities")
            continue
        cid = reader.ident(cnode, "a community", seen_communities)
        cname = reader.text(cnode, "name", "a community")
        grids: list[SeedGrid] = []
        for gnode in reader.seq(cnode, "grids", f"community {cid or '?'}"):
            grid = _grid(reader, gnode, seen_grids)
            if grid is not None:
                grids.append(grid)
        if cid and cname:
            communities.append(SeedCommunity(cid, cname, reader.point(cnode, "centre"), grids))
    _same_building_twice(reader, doc, communities)
    if reader.problems:
        raise SeedFileError(reader.problems)
    lines = {str(k): doc.lc.key(k)[0] + 1 for k in doc if isinstance(k, str)}
    return SeedData(street_id or "", street_name or "", communities), lines


def _same_building_twice(reader: _Reader, doc: CommentedMap, communities: list[SeedCommunity]) -> None:
    """One building of one area in two grids would route its residents to whichever matched first."""
    seen: dict[tuple[str, str], str] = {}
    for c in communities:
        for g in c.grids:
            for a in g.areas:
                for b in a.buildings:
                    other = seen.setdefault((a.name, b), g.id)
                    if other != g.id:
                        reader.problems.append(Problem(reader.path, _grid_line(doc, g.id),
                                                       f"building {a.name}{b} is in grid {other} and in grid {g.id}"))


def _grid_line(doc: CommentedMap, grid_id: str) -> int:
    for cnode in doc.get("communities") or ():
        for gnode in (cnode.get("grids") or ()) if isinstance(cnode, CommentedMap) else ():
            if isinstance(gnode, CommentedMap) and str(gnode.get("id")) == grid_id:
                return gnode.lc.line + 1
    return 1


def _grid(reader: _Reader, gnode: Any, seen: dict[str, str]) -> SeedGrid | None:
    if not isinstance(gnode, CommentedMap):
        reader.problem(gnode, "each grid must be a mapping with id, name, areas")
        return None
    gid = reader.ident(gnode, "a grid", seen)
    gname = reader.text(gnode, "name", "a grid")
    polygon = gnode.get("polygon")
    if polygon is not None and not (isinstance(polygon, list) and len(polygon) >= 3 and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(v, int | float) for v in p) for p in polygon)):
        reader.problem(gnode, "polygon must be a list of at least 3 [latitude, longitude] points", "polygon")
        polygon = None
    areas: list[SeedArea] = []
    for anode in reader.seq(gnode, "areas", f"grid {gid or '?'}"):
        if not isinstance(anode, CommentedMap):
            reader.problem(gnode, "each area must be a mapping with name, aliases, buildings", "areas")
            continue
        name = reader.text(anode, "name", "an area")
        area = SeedArea(name or "", reader.names(anode, "aliases"))
        for item in reader.seq(anode, "buildings", "", required=False):
            if isinstance(item, CommentedMap):
                bname = reader.text(item, "name", "a named building")
                if bname:
                    area.buildings.append(bname)
                    area.building_aliases[bname] = reader.names(item, "aliases")
            elif isinstance(item, int | str) and not isinstance(item, bool) and str(item).strip():
                area.buildings.append(str(item).strip())
            else:
                reader.problem(anode, f"buildings entries must be numbers, names or {{name, aliases}}, got {item!r}"[:200],
                               "buildings")
        if name:
            areas.append(area)
    if not gid or not gname:
        return None
    poly = [[float(p[0]), float(p[1])] for p in polygon] if polygon else None
    return SeedGrid(gid, gname, reader.point(gnode, "centre"), poly, areas)


async def apply_seed(session: Any, data: SeedData) -> None:
    """Insert the seed's rows in the caller's transaction (the caller checked the database is empty)."""
    from storage.models import Community, Grid, GridArea, Street

    session.add(Street(id=data.street_id, name=data.street_name))
    await session.flush()
    for c in data.communities:
        session.add(Community(id=c.id, street_id=data.street_id, name=c.name,
                              center_lat=c.centre[0] if c.centre else None, center_lon=c.centre[1] if c.centre else None))
    await session.flush()
    for c in data.communities:
        for g in c.grids:
            session.add(Grid(id=g.id, community_id=c.id, name=g.name, center_lat=g.centre[0] if g.centre else None,
                             center_lon=g.centre[1] if g.centre else None, polygon=g.polygon))
    await session.flush()
    for g in data.grids:
        for a in g.areas:
            session.add(GridArea(grid_id=g.id, name=a.name, aliases=a.aliases, buildings=a.buildings,
                                 building_aliases=a.building_aliases))
    await session.flush()
