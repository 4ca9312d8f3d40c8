"""The one entry point and its API schema."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from jiesu.triage.classifier import CategoryModel
from jiesu.triage.cli import places_app, triage_app
from jiesu.triage.duplicates import Candidate
from jiesu.triage.places import Gazetteer
from jiesu.triage.schemas import TriageRequest, TriageResponse
from jiesu.triage.service import TriageEngine

WINTER = datetime(2026, 12, 1, 9, 0)


def test_suggest_gives_category_place_urgency_unit_and_duplicates(
    model: CategoryModel, gazetteer: Gazetteer
) -> None:
    engine = TriageEngine(model, gazetteer)
    text = "朝阳区望京街道望京西园三区暖气不热，家里只有十五度，老人孩子都冻感冒了"
    dup = Candidate("42", "望京西园三区暖气不热，屋里很冷", "110105026", WINTER - timedelta(days=1))
    s = engine.suggest(text, title="暖气不热", now=WINTER, candidates=[dup])
    assert s.place.street_code == "110105026"
    assert s.urgency.level == "urgent" and s.urgency.rule_id == "no_heating"
    assert s.unit.rule_id == "heating" and s.unit.lead is not None
    assert s.unit.lead.code == "util.heat"
    assert [d.id for d in s.duplicates] == ["42"]
    assert s.category is not None and s.model_version == model.version
    assert {"category", "place", "urgency", "routing", "duplicates", "total"} <= set(s.timings_ms)


def test_place_text_is_preferred_for_the_place(model: CategoryModel, gazetteer: Gazetteer) -> None:
    engine = TriageEngine(model, gazetteer)
    s = engine.suggest("门口垃圾没人清理", place_text="丰台区方庄街道芳城园一区")
    assert s.place.street == "方庄街道" and s.unit.lead is not None
    assert s.unit.lead.code == s.place.street_code


def test_without_a_model_the_category_is_left_to_a_person(gazetteer: Gazetteer) -> None:
    s = TriageEngine(None, gazetteer).suggest("海淀区公司拖欠工资三个月")
    assert s.category is None and s.needs_person
    assert s.unit.lead is not None and s.unit.lead.code == "dept.renshe"


def test_response_schema_round_trips(model: CategoryModel, gazetteer: Gazetteer) -> None:
    req = TriageRequest(text="楼下饭馆着火了", received_at=WINTER)
    s = TriageEngine(model, gazetteer).suggest(req.text, now=req.received_at)
    resp = TriageResponse.from_suggestion(s)
    data = json.loads(resp.model_dump_json())
    assert data["urgency"]["transfer_to"] == "119" and data["urgency"]["not_accepted"]
    assert data["urgency"]["level_name"]
    assert TriageResponse.model_validate(data) == resp


def test_cli_places_resolve_json() -> None:
    out = CliRunner().invoke(places_app, ["resolve", "海淀区八里庄附近路灯不亮", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert (data["district"], data["street"]) == ("海淀区", "八里庄街道")


def test_cli_places_evaluate_json() -> None:
    out = CliRunner().invoke(places_app, ["evaluate", "--json"])
    data = json.loads(out.output)
    assert {"street_accuracy", "district_accuracy", "n", "per_kind"} <= set(data)


def test_cli_evaluate_json_is_one_object(model_dir: Path, tmp_path: Path) -> None:
    data_file = tmp_path / "eval.csv"
    data_file.write_text(
        "id,text,label\n1,公司拖欠工资三个月了,劳动和社会保障\n2,孩子入学难,教育文体\n3,x,未知\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(
        triage_app, ["evaluate", "--data", str(data_file), "--data-dir", str(model_dir), "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert {"accuracy", "macro_f1", "n", "per_class", "ms_per_message", "skipped"} <= set(data)
    assert data["n"] == 2 and len(data["skipped"]) == 1
