"""Routing catalogue rules, one test per rule."""

from __future__ import annotations

from jiesu.triage.places import Gazetteer, PlaceMatch
from jiesu.triage.routing import default_rules, parse_rules, route
from jiesu.triage.taxonomy import load_taxonomy, top_level

WANGJING = PlaceMatch("朝阳区", "110105", "望京街道", "110105026")
DISTRICT_ONLY = PlaceMatch("海淀区", "110108")


def test_first_matching_rule_wins_and_is_named() -> None:
    rules = parse_rules(
        [
            {"id": "a", "name": "甲", "keywords": "垃圾", "lead": "dept.chengguan"},
            {"id": "b", "name": "乙", "keywords": "垃圾", "lead": "dept.zhujian"},
        ]
    )
    r = route("门口垃圾没人清", None, WANGJING, rules)
    assert (r.rule_id, r.rule_name) == ("a", "甲")
    assert r.lead is not None and r.lead.code == "dept.chengguan"
    assert "甲" in r.explanation and "垃圾" in r.explanation


def test_street_matter_goes_to_the_street_code() -> None:
    r = route("门口垃圾堆放多日无人清理", "城乡建设", WANGJING)
    assert r.lead is not None and (r.lead.code, r.lead.kind) == ("110105026", "street")
    assert r.rule_id == "sanitation"


def test_utility_matter_goes_to_the_utility() -> None:
    r = route("楼道里闻到煤气味", "城乡建设", WANGJING)
    assert r.lead is not None and r.lead.code == "util.gas"
    assert [u.code for u in r.assisting] == ["110105026"]


def test_city_wide_matter_goes_to_the_department() -> None:
    r = route("公司拖欠工资三个月", "劳动和社会保障", None)
    assert r.lead is not None and r.lead.code == "dept.renshe"


def test_unclear_unit_goes_to_the_district() -> None:
    r = route("有件事想反映一下", None, DISTRICT_ONLY)
    assert (r.rule_id, r.lead.code if r.lead else None) == ("territorial_default", "110108")


def test_street_scope_rule_falls_back_without_a_street() -> None:
    r = route("门口垃圾堆放多日无人清理", "城乡建设", DISTRICT_ONLY)
    assert r.lead is not None and r.lead.code == "110108"


def test_no_place_and_no_rule_needs_a_person() -> None:
    r = route("有件事想反映一下", None, None)
    assert r.rule_id is None and r.lead is None


def test_rule_on_a_class_matches_finer_categories() -> None:
    rules = parse_rules(
        [{"id": "c", "name": "城建", "category": "城乡建设", "lead": "dept.zhujian"}]
    )
    assert route("x", "住房保障与房地产", None, rules).rule_id == "c"
    assert route("x", "教育文体", None, rules).rule_id is None


def test_territory_scope_limits_a_rule_to_one_district() -> None:
    rules = parse_rules(
        [
            {"id": "cy", "name": "朝阳专属", "scope": "110105", "lead": "@district"},
            {"id": "all", "name": "其他", "lead": "dept.chengguan"},
        ]
    )
    assert route("x", None, WANGJING, rules).rule_id == "cy"
    assert route("x", None, DISTRICT_ONLY, rules).rule_id == "all"


def test_starter_catalogue_loads_with_unique_ids() -> None:
    rules = default_rules()
    assert 25 <= len(rules) <= 45
    assert len({r.id for r in rules}) == len(rules)


def test_taxonomy_maps_any_level_to_top_level() -> None:
    assert top_level("物业服务") == "城乡建设"
    assert top_level("城乡建设") == "城乡建设"
    assert top_level("本中心自定义类别") == "本中心自定义类别"
    assert top_level("城乡建设/安全生产/其他") == "城乡建设"
    assert len(load_taxonomy().level1) == 15


def test_resolved_place_feeds_routing(gazetteer: Gazetteer) -> None:
    text = "丰台区方庄街道芳城园一区门口占道摆摊"
    r = route(text, "城乡建设", gazetteer.resolve(text))
    assert r.lead is not None and r.lead.name == "方庄街道" and r.rule_id == "street_order"
