"""每月一题 exported: XLSX (openpyxl) and PDF (reportlab, the Adobe CID font STSong-Light for
Chinese so that no font file is needed, each problem's daily trend drawn as a bar chart)."""

from __future__ import annotations

import io

from jiesu.hotspots.report import MonthlyReport

HEAD = ("排名", "问题", "地点", "关键词", "本月件数", "上月件数", "增长", "来电人", "承办单位",
        "联办案件", "示例诉求（电话已脱敏）")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _growth(x: float | None) -> str:
    return "新出现" if x is None else f"{x:.1f} 倍"


def to_xlsx(report: MonthlyReport) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "每月一题"
    ws.append([f"每月一题 {report.month}（{report.scope}）",
               f"本月热点工单 {report.total_orders} 件"])
    ws.append(list(HEAD))
    for p in report.problems:
        ws.append([p.rank, p.title, p.place or "", "、".join(p.keywords), p.orders, p.previous,
                   _growth(p.growth), p.callers, "、".join(f"{u}({n})" for u, n in p.units),
                   p.case_id or "", " / ".join(p.samples)])
    trend = wb.create_sheet("每日趋势")
    trend.append(["日期", *[f"{p.rank}. {p.title}"[:30] for p in report.problems]])
    for i, day in enumerate(report.days):
        trend.append([day, *[p.trend[i] for p in report.problems]])
    last = wb.create_sheet("上月问题办理结果")
    last.append(["问题", "工单", "已回访", "解决率", "满意率"])
    for o in report.last_month:
        last.append([o.title, o.orders, o.visited, _pct(o.solved_rate),
                     _pct(o.satisfaction_rate)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_pdf(report: MonthlyReport) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22)
    h2 = ParagraphStyle("h", fontName=font, fontSize=12, leading=18, spaceBefore=6)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13)
    story: list[object] = [
        Paragraph(f"每月一题 {report.month}（{report.scope}）", title),
        Paragraph(f"本月归入热点的工单 {report.total_orders} 件；按件数排序的前 "
                  f"{len(report.problems)} 个问题。", body),
        Spacer(1, 4 * mm),
    ]
    for p in report.problems:
        story.append(Paragraph(f"{p.rank}. {p.title}", h2))
        story.append(Paragraph(
            f"地点：{p.place or '—'}；本月 {p.orders} 件（上月 {p.previous} 件，"
            f"{_growth(p.growth)}），{p.callers} 位来电人；关键词：{'、'.join(p.keywords)}；"
            f"承办单位：{'、'.join(f'{u}（{n}）' for u, n in p.units) or '待派'}"
            + (f"；已成立联办案件 {p.case_id}" if p.case_id else ""), body))
        for s in p.samples:
            story.append(Paragraph(f"示例：{s}", body))
        chart = Drawing(170 * mm, 28 * mm)
        bars = VerticalBarChart()
        bars.x, bars.y, bars.width, bars.height = 10 * mm, 4 * mm, 155 * mm, 22 * mm
        bars.data = [p.trend or [0]]
        bars.bars[0].fillColor = colors.HexColor("#b00020")
        bars.categoryAxis.visible = False
        bars.valueAxis.valueMin = 0
        bars.valueAxis.labels.fontSize = 6
        chart.add(bars)
        story.append(chart)
    story.append(Paragraph("上月问题办理结果", h2))
    rows = [["问题", "工单", "已回访", "解决率", "满意率"]]
    rows += [[Paragraph(o.title, body), str(o.orders), str(o.visited), _pct(o.solved_rate),
              _pct(o.satisfaction_rate)] for o in report.last_month]
    if len(rows) == 1:
        rows.append(["上月没有热点问题", "", "", "", ""])
    table = Table(rows, colWidths=[90 * mm, 18 * mm, 18 * mm, 22 * mm, 22 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
    ]))
    story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"每月一题 {report.month}",
                      leftMargin=18 * mm, rightMargin=18 * mm).build(story)
    return out.getvalue()
