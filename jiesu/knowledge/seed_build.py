"""Builds the seed knowledge base and its evaluation set from the official replies (附件4).

Run once, offline: `python -m jiesu.knowledge.seed_build ../shared/data/messages/replies.csv`;
it writes data/seed_articles.csv, data/eval.csv and data/eval_blind.csv beside this file, and
the files are committed (docs/knowledge.md says how they were made and what they measure).

Articles. Messages whose title asks something (吗, 如何, 能否, 咨询 …) and whose reply says
something of substance are kept; near-duplicate titles (character-bigram Jaccard ≥ 0.5) are
dropped. The answer is the reply without its salutation, thanks and date, cut at a sentence
end; the topic is the title; the question forms are the title and the first question of the
message; the category comes from the triage classifier, the owning unit from the departments'
keywords (jiesu/triage/data/departments.csv).

Evaluation questions are what a caller says: the title said aloud (formal words replaced by
spoken ones, the place said vaguely or not at all, the fillers callers use around it), the same
with one or two characters replaced by a homophone (misheard: same pinyin, another character),
a detail of the situation from the message body (never the sentence used as a question form),
and two callers' questions run together in one (a row for each article). Rows are shuffled
with a fixed seed; 30 % go to the blind file, which is never looked at while tuning.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from jiesu.knowledge.transfer import FIELDS

HERE = Path(__file__).with_name("data")
QUESTION_TITLE = re.compile(
    r"[吗？?]|能否|如何|怎么|是否|何时|咨询|请问|可以|什么|多少|哪里|有没有")
QUESTION_SENTENCE = re.compile(r"[吗？?]|能否|如何|怎么|是否|何时|请问|什么时候|多少|哪里|有没有")
OPENING = re.compile(
    r"^.{0,160}?(现(将|就)?.{0,40}?(回复|答复)如下|(回复|答复)如下|现回复|现答复)[:：。，,]?")
SALUTATION = re.compile(
    r"^(网友|市民|尊敬的)?[^：:，,！!]{0,30}[：:，,！!]\s*(您好|你好)[！!，,。]?")
RECEIVED = re.compile(r"^[^。]{0,80}(已收悉|收悉)[。，,！!]")
CLOSING = re.compile(
    r"(感谢您|谢谢您|感谢你|再次感谢|非常感谢|特此回复|此复|欢迎您?继续|祝您).*$")
DATE_TAIL = re.compile(r"\s*\d{4}年\d{1,2}月\d{1,2}日\s*$")
FILLERS_BEFORE = ["喂，你好，我想问一下，", "那个，我咨询个事儿，", "你好，是这样的，",
                  "我跟你说啊，", "麻烦问一下，", "喂喂，听得见吗，我问个事，", "",
                  "您好，我是市民，"]
FILLERS_AFTER = ["这个怎么办啊？", "能给解决一下吗？", "你们管不管啊？", "到底找谁啊？",
                 "这种情况正常吗？", "", "能不能给个说法？", "该怎么弄？"]
# Formal words of a written title and what a caller says instead.
SPOKEN = [("关于", ""), ("的咨询", ""), ("咨询一下", ""), ("咨询", ""), ("相关事宜", ""),
          ("事宜", "的事"), ("相关问题", "的事"), ("的问题", "的事"), ("问题", "的事"),
          ("是否", "是不是"), ("能否", "能不能"), ("何时", "什么时候"), ("如何", "怎么"),
          ("为何", "为什么"), ("子女", "孩子"), ("小孩", "孩子"), ("办理", "办"),
          ("缴纳", "交"), ("申领", "领"), ("享受", "能拿"), ("相关", ""), ("请问", ""),
          ("建议", "我觉得应该"), ("希望", "想让")]
PLACE = re.compile(r"(西地省|[A-Z]\d*市|[A-Z]\d+[县区])")
PLACE_SAID = ["我们这", "我们那边", "这边", "", "本地"]
JOINERS = ["，还有个事，", "。另外我还想问，", "，对了，顺便问一下，", "；还有就是，"]


def clean_answer(reply: str) -> str:
    text = re.sub(r"\s+", " ", reply).strip()
    m = OPENING.search(text)
    if m:
        text = text[m.end():]
    else:
        text = SALUTATION.sub("", text).strip()
        text = RECEIVED.sub("", text).strip()
    text = DATE_TAIL.sub("", text)
    text = CLOSING.sub("", text).strip()
    text = text.lstrip("：:，,。 ")
    if len(text) > 480:
        cut = text.rfind("。", 0, 480)
        text = text[:cut + 1] if cut > 120 else text[:480]
    return text.strip()


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。！？!?；;])", re.sub(r"\s+", "", text))
    return [p.strip() for p in parts if len(p.strip()) >= 6]


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def clean_topic(title: str) -> str:
    return re.sub(r"\s+", "", title).strip("？?。！! ")[:80]


def _departments() -> list[tuple[str, list[str]]]:
    path = Path(__file__).parents[1] / "triage" / "data" / "departments.csv"
    with path.open(encoding="utf-8") as fh:
        return [(r["code"], [k for k in r["keywords"].split("|") if k])
                for r in csv.DictReader(fh)]


CATEGORY_OWNER = {"城乡建设": "dept.zhujian", "环境保护": "dept.shengtai",
                  "交通运输": "dept.jiaotong", "教育文体": "dept.jiaowei",
                  "劳动和社会保障": "dept.renshe", "商贸旅游": "dept.shichang",
                  "卫生计生": "dept.weijian"}


def owner_for(text: str, category: str, departments: list[tuple[str, list[str]]]) -> str:
    best, hits = "", 0
    for code, words in departments:
        n = sum(text.count(w) for w in words)
        if n > hits:
            best, hits = code, n
    return best or CATEGORY_OWNER.get(category, "dept.zhujian")


def _homophones(chars: set[str]) -> dict[str, list[str]]:
    from pypinyin import Style, lazy_pinyin

    by_sound: dict[str, list[str]] = defaultdict(list)
    for c in sorted(chars):
        by_sound[lazy_pinyin(c, style=Style.NORMAL)[0]].append(c)
    return {c: [o for o in by_sound[lazy_pinyin(c, style=Style.NORMAL)[0]] if o != c]
            for c in chars}


def mishear(text: str, rng: random.Random, sounds: dict[str, list[str]]) -> str:
    """One or two characters replaced by another of the same sound."""
    spots = [i for i, c in enumerate(text) if sounds.get(c)]
    if not spots:
        return text
    chars = list(text)
    for i in rng.sample(spots, min(len(spots), rng.choice([1, 2]))):
        chars[i] = rng.choice(sounds[chars[i]])
    return "".join(chars)


def build(replies: Path) -> tuple[list[dict[str, str]], list[tuple[str, str, str]]]:
    from jiesu.triage.classifier import load_current

    model = load_current()
    departments = _departments()
    with replies.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    articles: list[dict[str, str]] = []
    evals: list[tuple[str, str, str]] = []
    kept_grams: list[set[str]] = []
    rng = random.Random(12345)
    bodies: dict[str, list[str]] = {}
    for r in rows:
        topic = clean_topic(r["title"])
        answer = clean_answer(r["reply"])
        if not QUESTION_TITLE.search(r["title"]) or len(answer) < 60 or len(topic) < 6:
            continue
        grams = bigrams(topic)
        if any(len(grams & g) / max(len(grams | g), 1) >= 0.5 for g in kept_grams):
            continue
        body = sentences(r["body"])
        asked = next((s for s in body if QUESTION_SENTENCE.search(s) and len(s) <= 80), "")
        rest = [s for s in body if s != asked and 8 <= len(s) <= 120]
        if not rest:
            continue
        kept_grams.append(grams)
        category = model.predict(r["body"], r["title"]).label
        code = f"KB-S{len(articles) + 1:04d}"
        owner = owner_for(topic + answer, category, departments)
        questions = [topic] + ([asked] if asked and asked != topic else [])
        articles.append({
            "code": code, "owner_unit_code": owner, "topic": topic,
            "questions": "\n".join(questions), "answer": answer, "category": category,
            "tags": "", "internal_note": f"据附件4留言 {r['id']} 的答复整理",
            "valid_from": "", "valid_to": "",
        })
        bodies[code] = rest
        if len(articles) >= 200:
            break
    all_chars = {c for a in articles for c in a["topic"] + a["questions"]}
    all_chars |= {c for rest in bodies.values() for s in rest for c in s}
    sounds = _homophones({c for c in all_chars if "\u4e00" <= c <= "\u9fff"})
    codes = list(bodies)
    topics = {a["code"]: a["topic"] for a in articles}
    for code in codes:
        said = spoken(topics[code], rng)
        evals.append((rng.choice(FILLERS_BEFORE) + said + rng.choice(FILLERS_AFTER), code,
                      "colloquial"))
        evals.append((mishear(rng.choice(FILLERS_BEFORE) + spoken(topics[code], rng), rng,
                              sounds), code, "misheard"))
        evals.append((rng.choice(FILLERS_BEFORE) + _excerpt(bodies[code], rng)
                      + rng.choice(FILLERS_AFTER), code, "detail"))
    for _ in range(60):
        a, b = rng.sample(codes, 2)
        joined = (rng.choice(FILLERS_BEFORE) + spoken(topics[a], rng) + rng.choice(JOINERS)
                  + spoken(topics[b], rng) + rng.choice(FILLERS_AFTER))
        evals.append((joined, a, "several"))
        evals.append((joined, b, "several"))
    return articles, evals


def spoken(topic: str, rng: random.Random) -> str:
    """The title as a caller says it: formal words replaced, the masked place said vaguely
    (or kept), the written markers of a consultation dropped."""
    said = topic
    for formal, plain in SPOKEN:
        said = said.replace(formal, plain)
    said = PLACE.sub(lambda m: m.group(0) if rng.random() < 0.4 else rng.choice(PLACE_SAID),
                     said)
    return said.strip("的，, ") or topic


def _excerpt(rest: list[str], rng: random.Random) -> str:
    """One or two neighbouring sentences of the message's first four (where a caller says
    what it is about), at least 20 and at most 70 characters, said without the ending."""
    i = rng.randrange(min(len(rest), 4))
    text = rest[i]
    while len(text) < 20 and i + 1 < len(rest):
        i += 1
        text += rest[i]
    return text[:70].rstrip("。！？!?；;，,")


def main(argv: list[str]) -> None:
    replies = Path(argv[1]) if len(argv) > 1 else Path("../shared/data/messages/replies.csv")
    articles, evals = build(replies)
    HERE.mkdir(exist_ok=True)
    with (HERE / "seed_articles.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(articles)
    rng = random.Random(54321)
    # Several-in-one rows share their question: they go to the same side of the split.
    groups: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in evals:
        groups[row[0]].append(row)
    keys = sorted(groups)
    rng.shuffle(keys)
    blind = set(keys[: int(len(keys) * 0.3)])
    for name, chosen in (("eval.csv", [k for k in keys if k not in blind]),
                         ("eval_blind.csv", [k for k in keys if k in blind])):
        with (HERE / name).open("w", encoding="utf-8", newline="") as fh:
            writer2 = csv.writer(fh)
            writer2.writerow(["question", "article_id", "kind"])
            for k in chosen:
                writer2.writerows(groups[k])
    print(f"{len(articles)} articles, {len(evals)} questions "
          f"({sum(len(groups[k]) for k in blind)} blind)")


if __name__ == "__main__":
    main(sys.argv)
