"""每月一题 and the proactive list: top problems by volume with growth, places, units, masked
samples, trend, last month's outcomes; exported to XLSX and PDF (a page of it rendered)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import time_machine
from sqlalchemy.orm import Session

from jiesu.core.clock import CHINA_TZ
from jiesu.hotspots import report, report_export, service
from tests.factories import WANGJING, new_order, step, unit

NOISE = [
    "朝阳区望京街道望京西园四区旁边的搅拌站每天夜里施工，噪音很大，粉尘飘进家里。",
    "望京西园四区附近搅拌站凌晨还在作业，噪音扰民，孩子睡不着觉。",
    "投诉望京西园四区周边混凝土搅拌站噪音和粉尘污染，晚上无法休息。",
    "望京西园四区外面的搅拌站夜间轰鸣，粉尘大，请尽快处理，我的电话13812345678。",
]
HEATING = [
    "望京西园四区暖气不热，室温只有十五度，供暖不达标，老人受冻。",
    "望京西园四区供暖温度不达标，暖气不热，家里很冷。",
]


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=CHINA_TZ)


def _order(session: Session, text: str, at: datetime, n: int) -> Any:
    return new_order(session, text=text, citizen_phone=f"1391000{n:04d}", received_at=at)


def _scenario(session: Session) -> list[Any]:
    october = [_order(session, t, _at(10, 20 + i), i) for i, t in enumerate(NOISE[:3])]
    for i, t in enumerate(NOISE):
        _order(session, t, _at(11, 3 + i), 10 + i)
    for i, t in enumerate(HEATING):
        _order(session, t, _at(11, 15 + i), 20 + i)
    service.assign_pending(session)
    return october


def test_top_problems_by_volume_with_growth_units_and_masked_samples(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _scenario(session)
    november = report.monthly_report(session, "2026-11").problems[0]
    first = next(o for o in report._month_orders(session, report.parse_period("2026-11"), None)
                 if o[0] == november.cluster_id)[1]
    step(session, "dispatcher", first, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    r = report.monthly_report(session, "2026-11")
    assert r.problems[0].units == [("望京街道", 1)]
    assert [(p.orders, p.previous) for p in r.problems] == [(4, 3), (2, 0)]
    noise = r.problems[0]
    assert noise.rank == 1 and "搅拌站" in noise.keywords and noise.place == "望京西园"
    assert noise.growth is not None and abs(noise.growth - 4 / 3) < 1e-9
    assert sum(noise.trend) == 4 and len(noise.trend) == 30
    assert all("13812345678" not in s for p in r.problems for s in p.samples)
    assert r.problems[1].growth is None  # new this month


def test_a_district_report_counts_only_its_orders(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _scenario(session)
    assert report.monthly_report(session, "2026-11", "110108").problems == []
    assert len(report.monthly_report(session, "2026-11", "110105").problems) == 2


def test_last_months_problems_show_how_they_ended(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    october = _scenario(session)
    order = october[0]
    step(session, "dispatcher", order, "dispatch", lead_unit_id=unit(session, WANGJING).id)
    step(session, "street", order, "sign")
    step(session, "street", order, "contact", method="phone")
    step(session, "street", order, "reply", outcome="solved", reply="已责令夜间停工")
    step(session, "visitor", order, "close_visited", solved=True, satisfaction="basically")
    r = report.monthly_report(session, "2026-11")
    (last,) = [o for o in r.last_month if o.cluster_id == r.problems[0].cluster_id]
    assert last.visited == 1 and last.solved_rate == 1.0 and last.satisfaction_rate == 0.9


def test_proactive_list_names_last_years_problems_of_the_coming_month(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    _scenario(session)
    last_year, rows = report.proactive_list(session, "2027-11")
    assert last_year == "2026-11" and [r.last_year_orders for r in rows] == [4, 2]
    assert report.next_month(datetime(2027, 10, 9).date()) == "2027-11"


def test_report_exports_to_xlsx_and_a_pdf_whose_page_renders(
    session: Session, frozen: time_machine.Coordinates
) -> None:
    import pypdfium2 as pdfium
    from openpyxl import load_workbook

    _scenario(session)
    r = report.monthly_report(session, "2026-11")
    wb = load_workbook(io.BytesIO(report_export.to_xlsx(r)))
    rows = list(wb["每月一题"].iter_rows(values_only=True))
    assert rows[1][0] == "排名" and rows[2][4] == 4
    pdf = pdfium.PdfDocument(report_export.to_pdf(r))
    page = pdf[0]
    text = page.get_textpage().get_text_range()
    assert "每月一题" in text and "望京西园" in text
    pixels = page.render(scale=1).to_numpy()
    dark = (pixels[..., :3].mean(axis=-1) < 200).mean()
    assert dark > 0.005  # text and the trend bars are drawn


def test_the_demo_has_last_years_seasonal_matters_for_the_proactive_list(
    session: Session, shared_dir: Any, frozen: time_machine.Coordinates, monkeypatch: Any
) -> None:
    """The demo's last year: one seasonal matter or two in each calendar month, taken in and
    handled through the services, so next month's proactive list is never empty."""
    from sqlalchemy import func, select

    from jiesu import demo
    from jiesu.core import clock
    from jiesu.orders.models import Order

    monkeypatch.setattr(demo, "PLAN", [])  # last year's matters alone
    monkeypatch.setattr(demo, "_ranked_month", lambda *args: 0)
    monkeypatch.setattr(demo, "_developing_hot_spot", lambda *args: 0)
    made = demo.create_demo_orders(session, shared_dir)
    assert made >= 12 * 3
    assert session.scalar(select(func.count()).where(Order.state != "closed")) == 0
    ahead = report.next_month(clock.local(clock.now()).date())  # 2026-12 (frozen 2026-11-02)
    last_year, rows = report.proactive_list(session, ahead)
    assert last_year == "2025-12" and rows
    heating = [r for r in rows if "暖气" in r.keywords]
    assert heating and heating[0].last_year_orders == 4 and heating[0].place == "永安东里小区"
    assert heating[0].units == [("八里庄街道", 4)]
    # Each matter is one group: no two rows about one estate.
    assert len({r.place for r in rows}) == len(rows)
    # Whichever month the demo is loaded in, the month after has last year's matters.
    for back in range(12):
        index = 2026 * 12 + 11 - back  # 2026-12, 2026-11, … 2026-01
        month = f"{index // 12}-{index % 12 + 1:02d}"
        _, seasonal = report.proactive_list(session, month)
        assert seasonal and all(r.last_year_orders >= 3 and r.units for r in seasonal), month
    july = report.proactive_list(session, "2026-07")[1]
    assert any("积水" in r.keywords for r in july)
