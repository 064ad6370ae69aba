"""Routing: address words → grid (fuzzy, aliases, building numbers), location → grid, fallbacks."""

from __future__ import annotations

import pytest

from bot.cases.routing import Router, building_numbers, canonical, chinese_to_int
from bot.nlu.normalize import default_normalizer
from storage.models import Community, Grid, GridArea, Street
from storage.seed import default_seed_path, load_seed_file


@pytest.fixture(scope="module")
def router() -> Router:
    """The router over the shipped seed, built without a database (same rows the loader inserts)."""
    seed = load_seed_file(default_seed_path())
    communities = [Community(id=c.id, street_id=seed.street_id, name=c.name) for c in seed.communities]
    grids, areas = [], []
    for c in seed.communities:
        for g in c.grids:
            grids.append(Grid(id=g.id, community_id=c.id, name=g.name, center_lat=g.centre[0] if g.centre else None,
                              center_lon=g.centre[1] if g.centre else None, polygon=g.polygon))
            areas += [GridArea(grid_id=g.id, name=a.name, aliases=a.aliases, buildings=a.buildings,
                               building_aliases=a.building_aliases) for a in g.areas]
    return Router(communities, grids, areas, [Street(id=seed.street_id, name=seed.street_name)],
                  simplify=default_normalizer().simplify)


@pytest.mark.parametrize(
    ("address", "grid"),
    [
        ("梨园小区3栋", "liyuan-01"),
        ("梨园小区三栋楼下", "liyuan-01"),
        ("梨園小區三棟", "liyuan-01"),  # Traditional
        ("梨园新村10号楼", "liyuan-02"),  # alias + building split across grids
        ("梨园 十二幢 2单元", "liyuan-02"),
        ("梨园小区7#", "liyuan-02"),
        ("梨园8-2-501", "liyuan-02"),
        ("ＬＩＹＵＡＮ 梨园小区４栋", "liyuan-01"),  # full-width
        ("梨园路23号那家饭店", "liyuan-02"),  # the longer name wins over 梨园
        ("翠竹园5-2-301", "liyuan-03"),
        ("菜市场门口", "liyuan-03"),
        ("老年活动中心", "wangjiang-03"),  # named building alias
        ("望江新村综合楼", "wangjiang-03"),
        ("望江花园6栋", "wangjiang-01"),
        ("江景华亭2号楼", "wangjiang-02"),
        ("丹桂里小区3栋", "guihua-02"),
        ("金桂大厦12楼", "guihua-02"),
    ],
)
def test_address_routes_to_grid(router: Router, address: str, grid: str) -> None:
    route = router.route(address)
    assert route.grid_id == grid, route
    assert route.method == "address" and route.confidence >= 0.8 and not route.ambiguous
    assert route.community_id == grid.split("-")[0] and route.street_id == "jinhu"


def test_typo_still_routes_with_lower_confidence(router: Router) -> None:
    route = router.route("梨圆小区5栋")  # 圆 for 园
    assert route.grid_id == "liyuan-01" and 0.7 <= route.confidence < 0.9
    assert router.route("翠竹圆").grid_id is None  # three characters: must be exact
    assert router.route("花园小区3栋").grid_id is None  # generic words are not a typo of 桂花小区


@pytest.mark.parametrize("address", ["梨园", "梨园小区", "梨园小区30栋"])
def test_estate_split_across_grids_without_usable_building_is_ambiguous(router: Router, address: str) -> None:
    route = router.route(address)
    assert route.grid_id is None and route.ambiguous
    assert route.community_id == "liyuan" and route.level == "community"
    assert set(route.candidates) == {"liyuan-01", "liyuan-02"}


@pytest.mark.parametrize("address", ["火星基地", "", "   ", "😀😀😀", "\x00\x01\x02", "我家", "x" * 100_000])
def test_unknown_or_junk_address_goes_to_street(router: Router, address: str) -> None:
    route = router.route(address)
    assert route.grid_id is None and route.community_id is None and route.street_id == "jinhu"
    assert route.level == "street" and route.note


def test_location_inside_polygon_or_nearest_centre(router: Router) -> None:
    inside = router.route(None, 30.27480, 120.15390)
    assert (inside.grid_id, inside.method, inside.confidence) == ("liyuan-01", "location", 1.0)
    near = router.route(None, 30.26650, 120.16240)  # a few metres from 望江第三网格's centre
    assert near.grid_id == "wangjiang-03" and "米" in near.note
    far = router.route(None, 39.9042, 116.4074)  # Beijing: outside the street
    assert far.grid_id is None and far.level == "street" and "公里" in far.note
    bad = router.route(None, 123.0, 500.0)
    assert bad.grid_id is None


def test_address_wins_and_location_fills_in(router: Router) -> None:
    assert router.route("望江花园6栋", 30.27480, 120.15390).grid_id == "wangjiang-01"
    assert router.route("不知道在哪", 30.27480, 120.15390).grid_id == "liyuan-01"
    ambiguous_then_location = router.route("梨园", 30.27460, 120.15600)
    assert ambiguous_then_location.grid_id == "liyuan-02" and ambiguous_then_location.method == "location"


def test_number_helpers() -> None:
    assert [chinese_to_int(x) for x in ("三", "十", "十二", "二十", "二十三", "一百零五", "两")] == [3, 10, 12, 20, 23, 105, 2]
    assert chinese_to_int("三楼x") is None
    assert canonical("梨園 小區 十二棟", default_normalizer().simplify) == "梨园小区12栋"
    assert building_numbers("3栋2单元") == ["3"]
    assert building_numbers("5-2-501室") == ["5"]
    assert building_numbers("3号楼和5幢之间") == ["3", "5"]
    assert building_numbers("3楼楼道") == []  # 3楼 is a floor, not a building


def test_grid_views_list_areas(router: Router) -> None:
    view = router.grid_view("wangjiang-03")
    assert view.community == "望江社区" and view.street == "锦湖街道"
    assert view.areas == ("望江新村 1-18栋 综合楼",)
    assert router.grid_view("liyuan-02").areas == ("梨园小区 7-12栋", "梨园路沿街商铺")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("梨园小区3栋楼上天天半夜装修，吵得睡不着", "梨园小区3栋"),
        ("梨園小區三棟門口亂停車", "梨园小区3栋"),  # Traditional, Chinese numeral
        ("望江花园门口的路灯坏了一个星期", "望江花园"),
        ("楼下广场舞太吵了", None),  # no place named: the resident is asked
        ("梨园那边有人乱搭乱建", None),  # estate split across grids, no building: not sure enough
    ],
)
async def test_place_in_names_the_place_only_when_routing_is_sure(case_service, text: str, place: str | None) -> None:
    assert case_service.place_in(text) == place


def test_a_remembered_route_is_the_one_computed_for_that_exact_text(router: Router) -> None:
    """`route_address` remembers each text's route: asked again, in any order, every text gets what scoring it
    afresh gives (texts one canonical form apart, such as scripts or spacing, are kept apart too)."""
    texts = ["梨园小区3栋", "梨园小区三栋楼下", "梨園小區三棟", "梨园 十二幢 2单元", "梨园小区", "梨圆小区5栋",
             "梨园路23号那家饭店", "火星基地", "", "望江花园6栋", "梨园小区7#"]
    for _ in range(2):
        for text in texts + texts[::-1]:
            assert router.route_address(text) == router._route_address(text), text
    assert router.route_address("梨园小区3栋") is router.route_address("梨园小区3栋")  # the same object, not recomputed
    assert router.route_address("梨园小区3栋").grid_id != router.route_address("梨园小区7#").grid_id
