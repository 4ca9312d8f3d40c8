"""Gazetteer rules, one test per rule."""

from __future__ import annotations

import time

from jiesu.triage.places import Alias, Gazetteer, build_gazetteer
from jiesu.triage.places_build import community_forms, street_forms
from jiesu.triage.places_eval import EVAL_FILE, evaluate_places, read_rows


def test_street_suffix_is_stripped(gazetteer: Gazetteer) -> None:
    assert ("望京", "street_short") in street_forms("望京街道")
    assert {f for f, _ in street_forms("来广营地区")} >= {"来广营乡", "来广营镇", "来广营"}
    p = gazetteer.resolve("望京这边花家地小区附近有人遛狗不拴绳")
    assert (p.district, p.street) == ("朝阳区", "望京街道")


def test_diqu_is_spoken_as_xiang_or_zhen(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("来广营乡一个村子里电线私拉乱接").street == "来广营地区"
    assert gazetteer.resolve("海淀区温泉镇一处河道被填").street == "温泉地区"


def test_community_suffix_forms() -> None:
    assert {f for f, _ in community_forms("多福巷社区居委会")} >= {"多福巷社区", "多福巷"}
    assert {f for f, _ in community_forms("西官庄村委会")} >= {"西官庄村", "西官庄"}
    assert ("辛庄村", "village") in community_forms("辛庄村村委会")


def test_community_points_to_its_street(gazetteer: Gazetteer) -> None:
    p = gazetteer.resolve("彩虹城小区的地下车库经常漏水")
    assert (p.district, p.street) == ("丰台区", "石榴庄街道")
    assert p.community is not None and p.community.startswith("彩虹城")


def test_duplicate_community_name_does_not_pick_a_street(gazetteer: Gazetteer) -> None:
    p = gazetteer.resolve("辛庄村的村民反映道路坏了")  # 辛庄村 exists under many streets
    assert p.street is None


def test_duplicate_community_name_with_district_narrows_it(gazetteer: Gazetteer) -> None:
    p = gazetteer.resolve("朝阳区八里庄北里小区门口的便道被占用")
    assert (p.district, p.street) == ("朝阳区", "六里屯街道")


def test_bare_district_name_is_not_a_street(gazetteer: Gazetteer) -> None:
    p = gazetteer.resolve("石景山有一处公园的厕所不开放")
    assert (p.district, p.street) == ("石景山区", None)  # not 东城 景山街道
    p = gazetteer.resolve("海淀区有人在公园里放风筝")
    assert (p.district, p.street) == ("海淀区", None)  # not 海淀街道
    for name in ("丰台", "密云", "延庆", "怀柔"):
        assert gazetteer.resolve(f"{name}区一个小区停水了").street is None


def test_full_street_name_that_shares_a_district_name_is_a_street(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("海淀区海淀街道苏州街附近占道经营").street == "海淀街道"
    assert gazetteer.resolve("景山附近的胡同里堆放杂物").street == "景山街道"


def test_chaoyang_district_is_not_chaoyangmen(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("朝阳区一栋写字楼电梯停运").street is None
    assert gazetteer.resolve("朝阳门附近的小区楼道灯坏了").street == "朝阳门街道"


def test_complaint_place_wins_over_callers_home(gazetteer: Gazetteer) -> None:
    p = gazetteer.resolve("我住在海淀区中关村，反映朝阳区望京街道花家地附近一处工地夜间施工")
    assert (p.district, p.street) == ("朝阳区", "望京街道")
    p = gazetteer.resolve("本人家住昌平回龙观，在亦庄上班，反映公司拖欠工资")
    # 亦庄 is the 经开区 landmark and 亦庄地区's own short form: the district, not the home
    assert (p.district, p.street) == ("大兴区", None)
    p = gazetteer.resolve("本人家住昌平回龙观，在亦庄上班，反映公司拖欠工资，经开区")
    assert p.street == "北京经济技术开发区"


def test_balizhuang_is_disambiguated_by_district(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("海淀区八里庄附近的路灯不亮").street_code == "110108005"
    assert gazetteer.resolve("朝阳区八里庄一个小区物业不作为").street_code == "110105015"
    assert gazetteer.resolve("八里庄附近的路灯不亮").street is None


def test_everyday_word_street_needs_its_district(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("过街天桥的电梯坏了很久了").street is None
    assert gazetteer.resolve("西城区天桥附近有人摆摊").street == "天桥街道"


def test_landmark_maps_to_its_street(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("798艺术区里面停车乱收费").street == "酒仙桥街道"
    assert gazetteer.resolve("北京大学东门外人行道被占用").street == "燕园街道"
    assert gazetteer.resolve("国贸桥下的通道积水").street == "建外街道"


def test_ambiguous_old_name_maps_to_district_only(gazetteer: Gazetteer) -> None:
    p = gazetteer.resolve("天通苑附近的公交车太挤了")
    assert (p.district, p.street) == ("昌平区", None)


def test_admin_alias_added_at_run_time() -> None:
    gaz = build_gazetteer()
    assert gaz.resolve("启明星实验学校门口拥堵").street is None
    gaz.add_alias("启明星实验学校", "朝阳区", "朝外街道", kind="school")
    assert gaz.resolve("启明星实验学校门口拥堵").street == "朝外街道"


def test_extra_aliases_from_the_database() -> None:
    gaz = build_gazetteer([Alias("某某大厦", "海淀区", "上地街道", "building")])
    assert gaz.resolve("某某大厦停车难").street == "上地街道"


def test_no_place_gives_empty_match(gazetteer: Gazetteer) -> None:
    p = gazetteer.resolve("楼上邻居天天半夜装修，噪音太大了")
    assert p.district is None and p.street is None and p.confidence == 0.0


def test_eval_set_street_accuracy_at_least_95_percent(gazetteer: Gazetteer) -> None:
    report = evaluate_places(read_rows(EVAL_FILE), gazetteer)
    assert report.n >= 300
    assert report.street_accuracy >= 0.95, report.errors[:5]
    assert "two_places" in report.per_kind


def test_resolution_is_fast(gazetteer: Gazetteer) -> None:
    texts = [r["text"] for r in read_rows(EVAL_FILE)]
    gazetteer.resolve(texts[0])
    t0 = time.perf_counter()
    for t in texts * 5:
        gazetteer.resolve(t)
    rate = len(texts) * 5 / (time.perf_counter() - t0)
    assert rate > 200  # the bench measures the real figure; this only catches a blow-up


def test_numbered_communities_are_found_by_their_shared_name(gazetteer: Gazetteer) -> None:
    # 芳城园一区第一社区 and 芳城园一区第二社区: callers say 芳城园一区
    p = gazetteer.resolve("芳城园一区门口垃圾没人清理")
    assert (p.street, p.community) == ("方庄街道", None)
    # a community's own name beats a shortened numbered one (彩虹城 vs 彩虹城第二社区)
    assert gazetteer.resolve("彩虹城小区地下车库漏水").street == "石榴庄街道"


def test_longer_landmark_beats_the_university_in_its_name(gazetteer: Gazetteer) -> None:
    # 北京大学第一医院 is in 西城, not at 北京大学 (燕园); the table knows its district only
    p = gazetteer.resolve("北京大学第一医院附近的小路上渣土车不苫盖")
    assert (p.district, p.street) == ("西城区", None)
    p = gazetteer.resolve("中国医学科学院肿瘤医院门口有人卖假药")  # not the 肿瘤医院社区 of 海淀
    assert (p.district, p.street) == ("朝阳区", "潘家园街道")


def test_an_estate_whose_parts_are_one_streets_communities_names_it(
    gazetteer: Gazetteer,
) -> None:
    # 芳群园一区 … 芳群园四区 are all 方庄街道's: callers say 芳群园
    p = gazetteer.resolve("芳群园那边有人遛狗不拴绳")
    assert (p.district, p.street) == ("丰台区", "方庄街道") and p.community is None
    # …but a longer name of another city's estate is not it (楚江世纪城 is no 世纪城)
    assert gazetteer.resolve("举报A4区楚江世纪城的传销窝点").street is None
