"""The hot-spot detector's rules, on Beijing-like texts and on the public hot_issues.csv."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jiesu.cli import app
from jiesu.hotspots.detector import Idf, Message, Params, Prepared, cluster_messages, prepare
from jiesu.hotspots.placenames import main_place, names_in, same_core
from jiesu.hotspots.scoring import rank

T0 = datetime(2026, 11, 2, 9, 0)


def _msg(n: int, title: str, body: str = "", *, days: float = 0, caller: str = "") -> Message:
    return Message(str(n), title, body, T0 + timedelta(days=days), caller or f"c{n}")


NOISE = [
    "望京西园四区楼下搅拌站夜间施工噪音扰民",
    "望京西园四区附近搅拌站凌晨施工声音太大睡不着",
    "投诉望京西园四区旁边搅拌站噪音和粉尘",
    "望京西园四区周边混凝土搅拌站噪音扰民严重",
    "朝阳区望京西园四区搅拌站夜里轰鸣扰民",
]
HEATING = [
    "望京西园四区暖气不热室温只有十五度",
    "望京西园四区供暖温度不达标暖气不热家里很冷",
    "反映望京西园四区暖气片不热供暖不足",
    "望京西园四区暖气温度低供暖不热老人孩子受冻",
]


def _clusters_of(messages: list[Message], params: Params | None = None) -> list[set[str]]:
    index = cluster_messages(messages, params)
    return sorted(({m.id for m in c.members} for c in index.clusters.values()), key=min)


def test_place_names_lose_their_administrative_prefix() -> None:
    assert [p.name for p in names_in("投诉A2区丽发新城小区附近搅拌站")] == ["丽发新城小区"]
    assert [p.name for p in names_in("朝阳区望京街道望京西园四区楼下")] == ["望京西园"]
    place = main_place("A5区劳动东路魅力之城小区油烟扰民", "")
    assert place is not None and place.core == "魅力之"


def test_generic_estate_words_are_not_places() -> None:
    assert names_in("我们小区门口的安置小区") == []


def test_same_core_needs_the_shorter_name_to_be_half_of_the_longer() -> None:
    assert same_core("丽发", "丽发新城")
    assert not same_core("经济", "财政经济学院宿舍楼")


def test_same_estate_same_matter_is_one_cluster() -> None:
    msgs = [_msg(i, t, days=i * 0.5) for i, t in enumerate(NOISE)]
    assert _clusters_of(msgs) == [{m.id for m in msgs}]


def test_same_estate_two_matters_are_two_clusters() -> None:
    msgs = [_msg(i, t, days=i * 0.3) for i, t in enumerate(NOISE + HEATING)]
    groups = _clusters_of(msgs)
    assert {str(i) for i in range(len(NOISE))} in groups
    assert {str(i) for i in range(len(NOISE), len(NOISE) + len(HEATING))} in groups


def test_same_matter_at_two_estates_is_two_clusters() -> None:
    here = [_msg(i, t, days=i) for i, t in enumerate(HEATING)]
    there = [
        _msg(10 + i, t.replace("望京西园四区", "花家地北里小区"), days=i)
        for i, t in enumerate(HEATING)
    ]
    groups = _clusters_of(here + there)
    assert {m.id for m in here} in groups and {m.id for m in there} in groups


def test_a_message_after_the_window_starts_a_new_cluster() -> None:
    msgs = [_msg(0, NOISE[0]), _msg(1, NOISE[1], days=40)]
    assert len(_clusters_of(msgs, Params(window_days=30))) == 2
    assert len(_clusters_of(msgs, Params(window_days=60))) == 1


def test_one_caller_repeating_counts_as_one_caller() -> None:
    msgs = [_msg(i, t, days=i * 0.2, caller="same") for i, t in enumerate(NOISE)]
    index = cluster_messages(msgs)
    assert rank(index.clusters.values(), min_callers=2) == []
    (issue,) = rank(index.clusters.values(), min_callers=1)
    assert issue.callers == 1 and issue.messages == len(NOISE)


def test_more_callers_rank_higher_and_the_score_is_explained() -> None:
    msgs = [_msg(i, t, days=i * 0.2) for i, t in enumerate(NOISE)]
    msgs += [_msg(20 + i, t, days=i * 0.2) for i, t in enumerate(HEATING[:3])]
    issues = rank(cluster_messages(msgs).clusters.values(), min_callers=3)
    assert [i.callers for i in issues] == [5, 3]
    top = issues[0]
    assert top.rank == 1 and "5 位来电人" in top.explanation and "搅拌站" in top.keywords
    assert top.score == pytest.approx(sum(top.parts.values()))


def test_growth_compares_the_last_week_with_the_week_before() -> None:
    msgs = [_msg(i, t, days=7 + i * 0.5) for i, t in enumerate(NOISE)]
    msgs.append(_msg(9, NOISE[0] + "上周也有", days=1))
    issues = rank(cluster_messages(msgs).clusters.values(), as_of=T0 + timedelta(days=10))
    assert issues[0].growth == 5.0


def test_adding_one_message_costs_candidates_not_the_whole_index() -> None:
    idf = Idf.fit([list(prepare(_msg(0, t)).terms) for t in NOISE + HEATING])
    from jiesu.hotspots.detector import ClusterIndex

    index = ClusterIndex(idf)
    for i in range(300):
        index.add(_msg(i, f"海淀区第{i}号楼独有事项{i}号反映", days=0))
    first = index.add(_msg(1000, NOISE[0], days=1))
    again = index.add(_msg(1001, NOISE[1], days=1.1))
    assert first.new and not again.new and again.cluster_id == first.cluster_id


def test_an_old_cluster_of_a_busy_street_is_still_found() -> None:
    """More clusters in one street than a posting list holds: the order is found through its
    words and place in that street, not by scanning the street's newest clusters."""
    from jiesu.hotspots.detector import ClusterIndex

    idf = Idf.fit([list(prepare(_msg(0, t)).terms) for t in NOISE + HEATING])
    index = ClusterIndex(idf, Params(window_days=30, posting_limit=50))
    street = "110105026"

    def order(n: int, title: str, days: float, area: str = street) -> Message:
        return Message(str(n), title, "", T0 + timedelta(days=days), f"c{n}", area=area)

    first = index.add(order(1, "搅拌站夜间施工噪音扰民，楼下搅拌站轰鸣", 0))
    for i in range(200):  # later, 200 unrelated matters in the same street
        other = order(100 + i, "", 0.1)
        index.add(Prepared(other, None, frozenset(), Counter({f"事项{i}": 2, f"词语{i}": 1})))
    assert len(index.clusters) == 201
    again = index.add(order(2, "楼下搅拌站凌晨施工噪音太大", 1))
    assert not again.new and again.cluster_id == first.cluster_id
    elsewhere = index.add(order(3, "楼下搅拌站凌晨施工噪音太大", 1, area="110108001"))
    assert elsewhere.new  # the same words in another street: another cluster


# The public message file: the matters found hot by those who studied it must come out whole.
KNOWN = {
    "伊景园": ("捆绑", 40),
    "丽发新城": ("搅拌", 40),
    "58车贷": ("车贷", 10),
    "魅力之城": ("油烟", 12),
}


def _hot_issues_sample(tmp_path: Path) -> Path | None:
    root = Path(os.environ.get("JIESU_SHARED_DATA_DIR",
                               Path(__file__).resolve().parents[3] / "shared" / "data"))
    src = root / "messages" / "hot_issues.csv"
    if not src.exists():
        return None
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    keys = [k for k in KNOWN] + ["车位", "搅拌站", "经济学院"]
    chosen = [r for r in rows if any(k in r["title"] for k in keys)]
    chosen += [r for r in rows if r not in chosen][:400]  # and unrelated messages around them
    out = tmp_path / "sample.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(chosen)
    return out


def test_hot_issues_file_gives_each_known_matter_as_one_coherent_group(tmp_path: Path) -> None:
    sample = _hot_issues_sample(tmp_path)
    if sample is None:
        pytest.skip("shared messages not available")
    result = CliRunner().invoke(
        app, ["hotspots", "detect", "--data", str(sample), "--top", "8", "--json"]
    )
    assert result.exit_code == 0, result.output
    issues = json.loads(result.output)["issues"]
    assert [i["rank"] for i in issues] == list(range(1, len(issues) + 1))
    assert [i["score"] for i in issues] == sorted((i["score"] for i in issues), reverse=True)
    with sample.open(encoding="utf-8") as fh:
        by_id = {r["id"]: r for r in csv.DictReader(fh)}
    for place, (word, least) in KNOWN.items():
        groups = [i for i in issues if place in (i["place"] or "") or place in i["title"]]
        assert len(groups) == 1, (place, [g["title"] for g in groups])
        ids = groups[0]["message_ids"]
        assert len(ids) >= least
        # coherent: nearly every member names the matter's word
        texts = [by_id[x]["title"] + by_id[x]["body"][:300] for x in ids]
        assert sum(word in t for t in texts) >= 0.8 * len(ids), place
    assert {"rank", "title", "place", "keywords", "score", "message_ids", "time_span"} <= set(
        issues[0]
    )


def test_detect_refuses_a_file_without_the_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,噪音\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["hotspots", "detect", "--data", str(bad), "--json"])
    assert result.exit_code == 2 and "columns_missing" in result.output


def test_keywords_read_as_words_not_character_pairs() -> None:
    from jiesu.hotspots.detector import Cluster
    from jiesu.hotspots.scoring import keywords_of

    c = Cluster(1, centroid={"暖气": 5.0, "搅拌": 3.0, "拌站": 2.9, "搅拌站": 2.8, "噪音": 2.0,
                             "暖气片": 1.0})
    assert keywords_of(c) == ["暖气", "搅拌站", "噪音"]
