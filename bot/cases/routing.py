"""Routing: which grid a report belongs to, from the resident's address words or a shared location.

Residents name places loosely: "梨园3栋", "梨園小區三棟", "梨园新村3号楼", "3-2-501 梨园". The seed lists
each grid's 小区 with aliases and building labels; number forms (3栋/三栋/3号楼/3幢/3#) are derived
here. Matching is fuzzy (rapidfuzz) so a typo still finds the 小区. An unclear or missing match is not an
error: the route says so and the case goes to the community (or street) dispatcher — never dropped.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.cases.views import GridView, Route
from bot.wording import notices
from bot.wording.names import BUILDINGS

#: Minimum fuzzy score (0..100) for a 小区 name to count as named in the address: one wrong character in
#: four (梨圆小区 for 梨园小区). Shorter names must appear exactly — one wrong character in three is another place.
FUZZY_MIN = 75.0
FUZZY_MIN_CHARS = 4
#: A location farther than this from every grid centre is outside the street's grids.
MAX_DISTANCE_KM = 2.0

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=\s*(?:号楼|号院|栋|幢|座|号|#|单元|楼))")
_BUILDING = re.compile(r"(?<![\d.])(\d{1,3})\s*(?:号楼|栋|幢|座|#|号(?!院))")
_TRIPLE = re.compile(r"(?<!\d)(\d{1,3})\s*-\s*\d{1,2}\s*-\s*\d{2,4}(?!\d)")
#: Pinyin-input slips for a building after its number ("3懂", "5动", "2号搂"): same sound, wrong character.
_BUILDING_SLIP = re.compile(r"(?<=\d)(?:懂|洞|冻|动(?![车物手工态漫画]))")
_FLOOR_SLIP = re.compile(r"(?<=\d号)搂")


def chinese_to_int(text: str) -> int | None:
    """十二 → 12, 三 → 3, 二十 → 20, 一百零五 → 105; None when it is not a plain number."""
    if not text:
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = current * 10 + _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def canonical(text: str, simplify: Callable[[str], str] | None = None) -> str:
    """NFKC, Simplified, lower-case, no spaces, Chinese building numbers as digits (三栋 → 3栋), the pinyin slips
    of 栋 and 楼 after a number mended (3懂 → 3栋)."""
    text = unicodedata.normalize("NFKC", text or "")[:500]
    if simplify is not None:
        text = simplify(text)
    text = re.sub(r"\s+", "", text.lower())
    text = _FLOOR_SLIP.sub("楼", _BUILDING_SLIP.sub("栋", text))
    return _CN_NUMBER.sub(lambda m: str(chinese_to_int(m.group(0)) or m.group(0)), text)


#: What follows a building in an address: a unit and a flat ("2单元301室", "502", "-2-501"), kept as written.
_AFTER_BUILDING = re.compile(r"(?<![\d.])\d{1,3}\s*(?:号楼|栋|幢|座|#|号(?!院))\s*((?:\d{1,2}\s*单元\s*)?(?:\d{1,2}\s*楼\s*)?"
                             r"(?:\d{2,4}\s*(?:室|号|户)?)?)")


def flat_after_building(text: str) -> str:
    """The unit and flat after the first building of canonical text ("2栋502" → "502", "3栋2单元301室" →
    "2单元301室"; "" when none): routing needs only the building, the grid worker needs the door."""
    found = _AFTER_BUILDING.search(text)
    return found.group(1).strip() if found else ""


def building_numbers(text: str) -> list[str]:
    """Building labels named in canonical text: "3栋", "3号楼", "3#", "3-2-501" → ["3"]."""
    found = [m.group(1) for m in _TRIPLE.finditer(text)] + [m.group(1) for m in _BUILDING.finditer(text)]
    return list(dict.fromkeys(str(int(n)) for n in found))


#: A building the words deny ("不是3栋", "不在5号楼"): not the one they correct to.
_DENIED_BUILDING = re.compile(r"(?:不是|不在)\d{1,3}\s*(?:号楼|栋|幢|座|#|号(?!院))")


def without_denied_buildings(text: str) -> str:
    """Canonical text without the buildings it denies: "不是3栋是5栋" → "是5栋"."""
    return _DENIED_BUILDING.sub("", text)


@dataclass(frozen=True, slots=True)
class _Area:
    grid_id: str
    label: str  # "梨园小区 1-6栋"
    names: tuple[str, ...]  # canonical estate name + aliases
    buildings: frozenset[str]  # canonical building labels
    fixed_building: str | None = None  # when this entry is one named building


_ROUTES_KEPT = 4096  # address texts whose route a router remembers


@dataclass(frozen=True, slots=True)
class _Grid:
    id: str
    name: str
    community_id: str
    center: tuple[float, float] | None
    polygon: tuple[tuple[float, float], ...] | None


class Router:
    """An in-memory index over the seeded grids; rebuilt by `CaseService.reload_grids()`."""

    def __init__(self, communities: Iterable, grids: Iterable, areas: Iterable, streets: Iterable = (),
                 simplify: Callable[[str], str] | None = None):
        self._simplify = simplify
        self._communities = {c.id: (c.name, c.street_id) for c in communities}
        self._streets = {s.id: s.name for s in streets}
        self._grids: dict[str, _Grid] = {}
        for g in grids:
            center = (g.center_lat, g.center_lon) if g.center_lat is not None and g.center_lon is not None else None
            poly = tuple((float(p[0]), float(p[1])) for p in g.polygon) if g.polygon else None
            self._grids[g.id] = _Grid(g.id, g.name, g.community_id, center, poly)
        self._areas: list[_Area] = []
        self._labels: dict[str, list[str]] = {}
        for a in areas:
            names = tuple(dict.fromkeys(n for n in (canonical(x, simplify) for x in [a.name, *(a.aliases or [])]) if n))
            buildings = frozenset(canonical(str(b), simplify) for b in (a.buildings or []))
            self._areas.append(_Area(a.grid_id, _area_label(a.name, list(a.buildings or [])), names, buildings))
            self._labels.setdefault(a.grid_id, []).append(_area_label(a.name, list(a.buildings or [])))
            for bname, baliases in (a.building_aliases or {}).items():
                bnames = tuple(dict.fromkeys(canonical(x, simplify) for x in [bname, *baliases] if x))
                self._areas.append(_Area(a.grid_id, f"{a.name}{bname}", bnames, frozenset(), canonical(bname, simplify)))
        self._routes: dict[str, Route] = {}  # address text → its route (`route_address`)
        #: Grids with no area and no geometry: retired by `griddesk grids import` (kept for their closed cases' names).
        self._retired = {gid for gid, g in self._grids.items() if gid not in self._labels and g.center is None
                         and g.polygon is None}

    def canonical(self, text: str) -> str:
        """`canonical` with the router's own simplifier: "梨園小區三棟" and "梨园小区3栋" are one place."""
        return canonical(text, self._simplify)

    def place_names(self) -> tuple[str, ...]:
        """Every estate, alias, grid and community name (canonical, Simplified): text that names a place, not a script."""
        names = [n for a in self._areas for n in a.names]
        names += [g.name for g in self._grids.values()] + [name for name, _ in self._communities.values()]
        names += list(self._streets.values())
        return tuple(dict.fromkeys(n for n in names if n and not n.isdigit()))


    # -- lookups used by views
    def grid_ids(self) -> list[str]:
        """The grids in service (retired ones keep only their name, for history)."""
        return sorted(set(self._grids) - self._retired)

    def grid_name(self, grid_id: str | None) -> str | None:
        g = self._grids.get(grid_id or "")
        return g.name if g else None

    def community_name(self, community_id: str | None) -> str | None:
        c = self._communities.get(community_id or "")
        return c[0] if c else None

    def community_of(self, grid_id: str | None) -> str | None:
        g = self._grids.get(grid_id or "")
        return g.community_id if g else None

    def street_of_community(self, community_id: str | None) -> str | None:
        c = self._communities.get(community_id or "")
        return c[1] if c else None

    def grid_view(self, grid_id: str, workers: tuple[str, ...] = ()) -> GridView:
        g = self._grids[grid_id]
        cname, street_id = self._communities.get(g.community_id, (g.community_id, None))
        return GridView(g.id, g.name, g.community_id, cname, self._streets.get(street_id or "", street_id or ""),
                        tuple(self._labels.get(g.id, ())), g.center, workers)

    def _only_street(self) -> str | None:
        streets = {s for _, s in self._communities.values()}
        return next(iter(streets)) if len(streets) == 1 else None

    # -- routing
    def given(self, grid_id: str) -> Route:
        """The caller named the grid; unknown ids fall back like an unmatched address."""
        if grid_id in self._grids and grid_id not in self._retired:
            cid = self._grids[grid_id].community_id
            return Route(grid_id, cid, self.street_of_community(cid), "given", 1.0, note=notices.ROUTE_GIVEN)
        return Route(None, None, self._only_street(), "none", 0.0, note=notices.ROUTE_UNKNOWN_GRID.format(grid=grid_id))

    def route(self, address: str | None, latitude: float | None = None, longitude: float | None = None) -> Route:
        """Address first (it is what the resident meant); a location when the address is missing or unclear."""
        by_address = self.route_address(address) if address and address.strip() else None
        if by_address is not None and by_address.grid_id:
            return by_address
        by_location = None
        if latitude is not None and longitude is not None:
            by_location = self.route_location(latitude, longitude)
            if by_location.grid_id:
                return by_location
        if by_address is not None and (by_address.community_id or by_location is None):
            return by_address
        if by_location is not None:
            return by_location
        return Route(None, None, self._only_street(), "none", 0.0, note=notices.ROUTE_NOTHING)

    def route_address(self, address: str) -> Route:
        """The route an address text names; remembered per text (the router never changes: `/reload` builds a new
        one), as one building's residents write its address the same few ways and every area is scored per call."""
        known = self._routes.get(address)
        if known is None:
            known = self._route_address(address)
            if len(self._routes) >= _ROUTES_KEPT:
                self._routes.clear()
            self._routes[address] = known
        return known

    def _route_address(self, address: str) -> Route:
        text = canonical(address, self._simplify)
        if not text:
            return Route(None, None, self._only_street(), "none", 0.0, note=notices.ROUTE_EMPTY_ADDRESS)
        scored: list[tuple[float, _Area, str]] = []
        for area in self._areas:
            best, which = 0.0, ""
            for name in area.names:
                if name in text:
                    score = 100.0
                elif len(name) >= FUZZY_MIN_CHARS and name[0] in text:
                    # The first character must be there: "花园小区" is generic, not a typo of "桂花小区".
                    # partial_ratio aligns the shorter string inside the longer: only fair when the text is the longer
                    score = fuzz.partial_ratio(name, text) if len(text) >= len(name) else fuzz.ratio(name, text)
                    if score < FUZZY_MIN:
                        continue
                else:
                    continue
                if score > best or (score == best and len(name) > len(which)):
                    best, which = score, name
            if best:
                scored.append((best, area, which))
        if not scored:
            return Route(None, None, self._only_street(), "address", 0.0,
                         note=notices.ROUTE_NO_MATCH.format(address=address[:60]))
        top = max(s for s, _, _ in scored)
        # Prefer the longest name among the best-scoring (梨园新村 over 梨园) and named buildings over estates.
        best = [(s, a, w) for s, a, w in scored if s >= top - 5]
        # "梨园路" named in the text beats "梨园" inside it: drop matches whose name is part of a longer match.
        best = [x for x in best if not any(y[2] != x[2] and x[2] in y[2] and y[0] >= x[0] for y in best)]
        fixed = [x for x in best if x[1].fixed_building is not None and x[0] >= top]
        if fixed:
            best = fixed
        numbers = building_numbers(text)
        if numbers:
            with_building = [x for x in best if x[1].buildings & set(numbers)]
            if with_building:
                best = with_building
            elif len({a.grid_id for _, a, _ in best}) > 1 and any(a.buildings for _, a, _ in best):
                return self._ambiguous(best, top, notices.ROUTE_BUILDING_NOT_LISTED.format(building=numbers[0], area=best[0][2]))
        grids = {a.grid_id for _, a, _ in best}
        if len(grids) == 1:
            s, area, which = max(best, key=lambda x: (x[0], len(x[2])))
            gid = area.grid_id
            cid = self._grids[gid].community_id if gid in self._grids else None
            conf = s / 100.0
            return Route(gid, cid, self.street_of_community(cid), "address", round(conf, 3), matched=area.label,
                         note=notices.ROUTE_BY_ADDRESS.format(which=which))
        return self._ambiguous(best, top, notices.ROUTE_AMBIGUOUS)

    def spanning_estate(self, address: str) -> str | None:
        """The estate an address names when that alone does not tell the grid: it spans several grids and no
        building was given ("梨园小区": 1-6栋 one grid, 7-12栋 another). None otherwise (found, unknown, a building
        the estate does not list) — so the resident is asked for the building, not told the estate is unknown."""
        text = canonical(address, self._simplify)
        if not text or building_numbers(text):
            return None
        route = self.route_address(address)
        if route.grid_id or not route.ambiguous or len(route.candidates) < 2:
            return None
        names = [n for a in self._areas if a.grid_id in route.candidates for n in a.names if n in text]
        return max(names, key=len) if names else None

    def estate_named(self, address: str) -> str | None:
        """The longest estate name `address` contains as written (after `canonical`), known to routing or not
        sure of the grid ("梨园小区30栋": 梨园小区 lists no 30栋) — so a building said next belongs to it."""
        text = canonical(address, self._simplify)
        names = [n for a in self._areas if a.fixed_building is None for n in a.names if n and n in text]
        return max(names, key=len) if names else None

    def _ambiguous(self, best: list[tuple[float, _Area, str]], top: float, why: str) -> Route:
        grids = tuple(sorted({a.grid_id for _, a, _ in best}))
        communities = {self._grids[g].community_id for g in grids if g in self._grids}
        cid = next(iter(communities)) if len(communities) == 1 else None
        sid = self.street_of_community(cid) if cid else self._only_street()
        return Route(None, cid, sid, "address", round(top / 100.0 * 0.5, 3), ambiguous=True, candidates=grids, note=why)

    def route_location(self, latitude: float, longitude: float) -> Route:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude) or math.isnan(longitude):
            return Route(None, None, self._only_street(), "location", 0.0, note=notices.ROUTE_BAD_PIN)
        inside = [g for g in self._grids.values() if g.polygon and _contains(g.polygon, latitude, longitude)]
        if len(inside) == 1:
            g = inside[0]
            return Route(g.id, g.community_id, self.street_of_community(g.community_id), "location", 1.0,
                         matched=g.name, note=notices.ROUTE_INSIDE)
        pool = inside or [g for g in self._grids.values() if g.center]
        if not pool:
            return Route(None, None, self._only_street(), "location", 0.0, note=notices.ROUTE_NO_COORDINATES)
        dist, g = min(((haversine_km(latitude, longitude, *g.center), g) for g in pool if g.center), key=lambda p: p[0],
                      default=(math.inf, None))
        if g is None or dist > MAX_DISTANCE_KM:
            return Route(None, None, self._only_street(), "location", 0.0,
                         note=notices.ROUTE_TOO_FAR.format(km=dist) if g else notices.ROUTE_NO_PIN_MATCH)
        conf = max(0.5, 1.0 - dist / MAX_DISTANCE_KM * 0.5)
        return Route(g.id, g.community_id, self.street_of_community(g.community_id), "location", round(conf, 3),
                     matched=g.name, note=notices.ROUTE_NEAREST.format(metres=dist * 1000))


def _area_label(name: str, buildings: list) -> str:
    def numeric(label: object) -> bool:  # ASCII only: "²".isdigit() is True and int("²") raises
        return str(label).isascii() and str(label).isdigit()

    nums = sorted(int(b) for b in buildings if numeric(b))
    named = [str(b) for b in buildings if not numeric(b)]
    parts: list[str] = []
    if nums:
        runs: list[str] = []
        start = prev = nums[0]
        for n in [*nums[1:], None]:
            if n is not None and n == prev + 1:
                prev = n
                continue
            runs.append(f"{start}-{prev}" if prev != start else str(start))
            if n is not None:
                start = prev = n
        parts.append(BUILDINGS.format(numbers=",".join(runs)))
    parts.extend(named)
    return f"{name} {' '.join(parts)}".strip()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def _contains(ring: tuple[tuple[float, float], ...], lat: float, lon: float) -> bool:
    """Even-odd ray casting on (lat, lon) pairs; fine at grid scale (a few hundred metres)."""
    inside = False
    n = len(ring)
    for i in range(n):
        (y1, x1), (y2, x2) = ring[i], ring[(i + 1) % n]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside
