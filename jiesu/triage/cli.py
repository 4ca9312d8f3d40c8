"""Command line: ``jiesu triage …`` (train / evaluate / retrain / ensure-model / suggest) and
``jiesu places …`` (resolve / evaluate). Mounted by ``jiesu.cli``; also runnable as
``python -m jiesu.triage.cli``."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

triage_app = typer.Typer(help="智能分拣：分类模型训练、评估、再训练", no_args_is_help=True)
places_app = typer.Typer(help="地点识别：区、街道（乡镇）、社区（村）", no_args_is_help=True)
console = Console()
REPO_ROOT = Path(__file__).resolve().parents[2]

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="数据目录（默认 $JIESU_DATA_DIR 或 ./var）")
]
AsJson = Annotated[bool, typer.Option("--json", help="只输出一个 JSON 对象")]

# Rows (title, text, label) of categories the dispatchers confirmed on closed orders. The
# triage package has no database; the application sets this when it mounts the commands.
confirmed_rows_source: Callable[[], list[dict[str, str]]] | None = None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def shared_train_csv() -> Path:
    """``$JIESU_SHARED_DATA/messages/train.csv``; relative paths tried from cwd, then the repo."""
    base = Path(os.environ.get("JIESU_SHARED_DATA", "../shared/data"))
    candidates = [base] if base.is_absolute() else [Path.cwd() / base, REPO_ROOT / base]
    for root in candidates:
        path = root / "messages" / "train.csv"
        if path.exists():
            return path
    raise typer.BadParameter(
        f"找不到训练数据 train.csv（查找位置：{', '.join(map(str, candidates))}）"
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _cv_table(info: dict[str, Any]) -> None:
    cv = info.get("cross_validation") or {}
    if cv:
        console.print(
            f"{cv['folds']} 折交叉验证：macro-F1 [bold]{cv['macro_f1']:.4f}[/]"
            f"（各折 {', '.join(f'{f:.4f}' for f in cv['macro_f1_per_fold'])}），"
            f"准确率 {cv['accuracy']:.4f}"
        )
        _coverage_table(cv.get("coverage", []), info.get("min_confidence") if not
                        info.get("calibration") else None)
    _calibration(info.get("calibration") or {})


def _calibration(cal: dict[str, Any]) -> None:
    """The calibrated confidence's curve on the development split and the floor it gives."""
    if not cal:
        return
    console.print(
        f"置信度校准：{cal['n_fit']} 条交叉验证预测拟合（保序回归），"
        f"另 {cal['n_dev']} 条（开发集）给出下表"
    )
    _coverage_table(cal.get("curve", []), None, "开发集：校准后置信度阈值的覆盖率与准确率")
    for key, point in (cal.get("points") or {}).items():
        _precision_point(point, float(key))
    console.print(
        f"默认下限 {cal['floor']}：开发集上准确率 ≥ {cal['target']:.0%} 的最低置信度"
    )


def _coverage_table(
    rows: list[dict[str, float]],
    chosen: float | None = None,
    title: str = "置信度阈值：自动分类覆盖率与准确率",
) -> None:
    t = Table(title=title)
    for col in ("阈值", "覆盖率", "准确率"):
        t.add_column(col, justify="right")
    for r in rows:
        mark = " ←默认" if chosen is not None and r["threshold"] == chosen else ""
        t.add_row(f"{r['threshold']:.2f}{mark}", f"{r['coverage']:.1%}", f"{r['accuracy']:.1%}")
    console.print(t)


def _train(data: Path, data_dir: Path | None, folds: int) -> dict[str, Any]:
    from jiesu.triage.training import train

    info = train(read_csv(data), data_dir, cv_folds=folds)
    return info.as_dict()


@triage_app.command("train")
def train_cmd(
    data: Annotated[
        Path | None, typer.Option("--data", help="train.csv 格式或 text,label 格式")
    ] = None,
    data_dir: DataDir = None,
    folds: Annotated[int, typer.Option("--folds", help="交叉验证折数，0 为不做")] = 5,
    as_json: AsJson = False,
) -> None:
    """训练分类模型，写入带版本号的模型文件并设为当前模型。"""
    path = data or shared_train_csv()
    if not as_json:
        console.print(f"训练数据：{path}")
    info = _train(path, data_dir, folds)
    if as_json:
        _print_json(info)
        return
    console.print(
        f"模型版本 [bold]{info['version']}[/]，样本 {info['n']} 条，类别 {len(info['labels'])} 个"
    )
    console.print(f"训练数据 sha256：{info['data_sha256']}")
    _cv_table(info)
    console.print(f"默认置信度下限：{info['min_confidence']}（低于此值由派单员人工选择）")


# A model made on first start is cross-validated too: the out-of-fold predictions calibrate
# its confidence and set its floor (without them the floor would be a bare 0.5).
ENSURE_MODEL_FOLDS = 3


def _load_or_train(data_dir: Path | None, quiet: bool) -> Any:
    from jiesu.triage.classifier import ModelNotFound, load_current

    try:
        return load_current(data_dir)
    except ModelNotFound:
        path = shared_train_csv()
        msg = f"尚无分类模型，先用 {path} 训练一个（3 折交叉验证，用于校准置信度与下限）……"
        if quiet:
            sys.stderr.write(msg + "\n")
        else:
            console.print(msg)
        _train(path, data_dir, ENSURE_MODEL_FOLDS)
        return load_current(data_dir)


@triage_app.command("evaluate")
def evaluate_cmd(
    data: Annotated[Path, typer.Option("--data", help="text,label[,title,id] 或 train.csv 格式")],
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """用标注数据评估当前模型：准确率、macro-F1、各类 P/R/F1、混淆矩阵。"""
    from jiesu.triage.evaluation import evaluate
    from jiesu.triage.places import default_gazetteer
    from jiesu.triage.proposal_eval import evaluate_proposals, has_places
    from jiesu.triage.service import TriageEngine

    model = _load_or_train(data_dir, as_json)
    rows = read_csv(data)
    report = evaluate(model, rows).as_dict()
    if has_places(rows):  # labelled with the place too: judge the whole proposal
        engine = TriageEngine(model, default_gazetteer())
        report["proposal"] = evaluate_proposals(engine, rows).as_dict()
    if as_json:
        _print_json(report)
        return
    console.print(
        f"模型 {report['model_version']}：{report['n']} 条，"
        f"准确率 [bold]{report['accuracy']:.4f}[/]，"
        f"macro-F1 [bold]{report['macro_f1']:.4f}[/]，每条 {report['ms_per_message']:.2f} ms"
    )
    t = Table(title="各类别")
    for col in ("类别", "精确率", "召回率", "F1", "样本数"):
        t.add_column(col, justify="right")
    for label, m in report["per_class"].items():
        t.add_row(
            label,
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            str(m["support"]),
        )
    console.print(t)
    labels = report["confusion"]["labels"]
    cm = Table(title="混淆矩阵（行=真实，列=预测）")
    cm.add_column("")
    for lab in labels:
        cm.add_column(lab[:4], justify="right")
    for lab, row in zip(labels, report["confusion"]["matrix"], strict=True):
        cm.add_row(lab, *map(str, row))
    console.print(cm)
    _coverage_table(report["coverage"], model.min_confidence, "本文件：置信度阈值的覆盖率与准确率")
    for key, point in report["precision_points"].items():
        _precision_point(point, float(key))
    f = report["at_floor"]
    console.print(
        f"模型下限 {f['threshold']}：独立决定 [bold]{f['coverage']:.1%}[/]，其中准确率 "
        f"{f['accuracy']:.1%}，有把握却错占全部 {f['wrong_of_all']:.1%}"
    )
    _calibration(model.info.calibration or {})
    if "proposal" in report:
        p = report["proposal"]
        console.print(
            f"整份建议（类别 + 承办单位 + 街道），{p['n']} 条：全对 [bold]{p['right']:.1%}[/]，"
            f"转人工 [bold]{p['to_person']:.1%}[/]，有把握却错 [bold]{p['confident_wrong']:.1%}[/]"
            f"（类别对 {p['category_right']:.1%}，街道对 {p['street_right']:.1%}，"
            f"单位对 {p['unit_right']:.1%}）"
        )
    if report["skipped"]:
        console.print(f"[yellow]跳过 {len(report['skipped'])} 条（类别未知或文本为空）[/]")


def _precision_point(point: dict[str, float], target: float = 0.98) -> None:
    """The lowest confidence at which the model is right ``target`` of the time, and its
    coverage."""
    if not point:
        console.print(f"[yellow]没有任何置信度能让准确率达到 {target:.0%}[/]")
        return
    console.print(
        f"置信度 ≥ {point['threshold']:.3f} 时准确率 {point['accuracy']:.1%}"
        f"（≥ {point['target']:.0%}），模型独立决定 [bold]{point['coverage']:.1%}[/] 的工单"
    )


@triage_app.command("retrain")
def retrain_cmd(
    extra: Annotated[
        Path | None, typer.Option("--extra", help="派单员确认的类别：text,label")
    ] = None,
    base: Annotated[
        Path | None, typer.Option("--base", help="基础训练数据（默认共享 train.csv）")
    ] = None,
    holdout: Annotated[float, typer.Option("--holdout", help="留出比例")] = 0.2,
    from_orders: Annotated[
        bool,
        typer.Option("--from-orders/--no-from-orders", help="加入已办结工单中确认的类别"),
    ] = True,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """用共享数据 + 已办结工单确认的类别（+ --extra）再训练。

    新模型在同一留出集上不差于旧模型才启用。
    """
    from jiesu.triage.evaluation import retrain

    extra_rows = read_csv(extra) if extra else []
    if from_orders and confirmed_rows_source is not None:
        confirmed = confirmed_rows_source()
        if not as_json:
            console.print(f"已办结工单中确认的类别：{len(confirmed)} 条")
        extra_rows += confirmed
    report = retrain(read_csv(base or shared_train_csv()), extra_rows, holdout, data_dir).as_dict()
    if as_json:
        _print_json(report)
        return
    console.print(
        ("[green]启用新模型[/]" if report["kept_new"] else "[yellow]保留旧模型[/]")
        + f"：{report['reason']}"
    )
    console.print(
        f"旧模型 {report['old']}；新模型 {report['new']}；新类别 {report['new_labels'] or '无'}"
    )


@triage_app.command("ensure-model")
def ensure_model_cmd(data_dir: DataDir = None) -> None:
    """没有分类模型时训练一个（make run 调用）。"""
    from jiesu.triage.classifier import current_model_path

    path = current_model_path(data_dir)
    if path is not None:
        console.print(f"分类模型已存在：{path}")
        return
    model = _load_or_train(data_dir, False)
    console.print(f"已训练分类模型 {model.version}")


@triage_app.command("suggest")
def suggest_cmd(
    text: Annotated[str, typer.Argument(help="来电或留言原文")],
    title: Annotated[str | None, typer.Option("--title")] = None,
    place: Annotated[str | None, typer.Option("--place", help="来电人所说的地点")] = None,
) -> None:
    """对一条诉求给出分拣建议（JSON）。"""
    from jiesu.triage.schemas import TriageResponse
    from jiesu.triage.service import suggest

    _print_json(TriageResponse.from_suggestion(suggest(text, title, place)).model_dump())


@places_app.command("resolve")
def resolve_cmd(
    text: Annotated[str, typer.Argument(help="含地点的文本")], as_json: AsJson = False
) -> None:
    """识别文本中的区、街道（乡镇）、社区（村）。"""
    from jiesu.triage.places import PLACE_MIN_CONFIDENCE, place_as_dict, resolve

    p = dict(place_as_dict(resolve(text)))
    if as_json:
        _print_json(p)
        return
    t = Table(show_header=False)
    names = {
        "district": "区",
        "street": "街道/乡镇",
        "community": "社区/村",
        "matched": "命中词",
        "confidence": "置信度",
        "kind": "依据",
        "explanation": "匹配方式",
    }
    for key, name in names.items():
        value = p[key]
        code = p.get(f"{key}_code")
        shown = (
            "、".join(value)
            if isinstance(value, list)
            else str(value if value is not None else "—")
        )
        t.add_row(name, shown + (f"（{code}）" if code else ""))
    if p["confidence"] and p["matched"] and float(str(p["confidence"])) < PLACE_MIN_CONFIDENCE:
        t.add_row("", "[yellow]置信度低于下限，需人工确认[/]")
    console.print(t)


@places_app.command("evaluate")
def places_evaluate_cmd(
    data: Annotated[Path | None, typer.Option("--data", help="text,district,street[,kind]")] = None,
    as_json: AsJson = False,
    show_errors: Annotated[bool, typer.Option("--errors", help="列出识别错误的样本")] = False,
) -> None:
    """用标注样本评估地点识别：街道准确率、区准确率（按类型分组）。"""
    from jiesu.triage.places_eval import EVAL_FILE, evaluate_places, read_rows

    report = evaluate_places(read_rows(data or EVAL_FILE))
    if as_json:
        _print_json(report.as_dict())
        return
    console.print(
        f"{report.n} 条：街道准确率 [bold]{report.street_accuracy:.1%}[/]，"
        f"区准确率 [bold]{report.district_accuracy:.1%}[/]，"
        f"有把握却错的街道 [bold]{report.confident_wrong:.1%}[/]，转人工 {report.to_person:.1%}，"
        f"{report.texts_per_second:,.0f} 条/秒"
    )
    if report.per_kind:
        t = Table(title="按类型")
        for col in ("类型", "条数", "街道", "区", "有把握却错"):
            t.add_column(col, justify="right")
        for kind, m in report.per_kind.items():
            t.add_row(
                kind, str(m["n"]), f"{m['street_accuracy']:.1%}", f"{m['district_accuracy']:.1%}",
                f"{m['confident_wrong']:.1%}",
            )
        console.print(t)
    if show_errors:
        for e in report.errors:
            console.print(e)


def _combined() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)
    app.add_typer(triage_app, name="triage")
    app.add_typer(places_app, name="places")
    return app


if __name__ == "__main__":
    _combined()()
