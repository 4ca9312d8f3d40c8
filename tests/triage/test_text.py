"""Segmentation at prediction time: jieba's tokens, from jieba-rs."""

from __future__ import annotations

import csv
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from jiesu.triage.fastpath import gram_keys, vocabulary_keys
from jiesu.triage.text import MAX_CHARS, _tokenizer, cut, strip_spaces
from tests.triage.conftest import shared_train_csv

# jieba-rs keeps these runs whole (80-90, baidu.com); jieba cuts them at - . _
SENTENCES = (
    "A市万家丽路地铁5号线晚上11点以后还在施工，噪音很大",
    "约80-90米的路段，按GB50096-2011规定，层高不低于2.8米",
    "详见www.baidu.com网站第4.2.3条，电话0000-00000000jdymsy00817",
    "涨了10%-20%，C++培训班A&B公司a_b账号1.5.6版",
    "我家孩子今年上小学，学区划片不合理 ，\t学校离家太远！！",
)


def jieba_tokens(text: str) -> list[str]:
    return list(_tokenizer().lcut(text, HMM=True))  # type: ignore[attr-defined]


def test_cut_gives_jiebas_tokens_on_alphanumeric_runs() -> None:
    for s in SENTENCES:
        assert cut(s) == jieba_tokens(s), s


def test_cut_gives_jiebas_tokens_on_real_messages() -> None:
    path = shared_train_csv()
    rows: list[str] = []
    if path is not None:
        for name in ("hot_issues.csv", "replies.csv"):
            with (path.parent / name).open(encoding="utf-8") as fh:
                rows += [f"{r['title']} {r['body']}" for r in csv.DictReader(fh)][:150]
    texts = [unicodedata.normalize("NFKC", t)[:MAX_CHARS] for t in rows] or list(SENTENCES)
    assert [cut(t) for t in texts] == [jieba_tokens(t) for t in texts]


def test_char_gram_keys_are_sklearns_char_ngrams() -> None:
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), preprocessor=strip_spaces)
    docs = ["小区 门口 垃圾", "a b", "表情 😀 符号", "\x00空 字符", "一"]
    vec.fit(docs)
    keys, ids = vocabulary_keys(vec.vocabulary_)
    analyze = vec.build_analyzer()
    for doc in docs:
        text = vec._white_spaces.sub(" ", strip_spaces(doc))
        found = gram_keys(text, 1, 3)
        by_key = dict(zip(keys.tolist(), ids.tolist(), strict=True))
        assert sorted(by_key[k] for k in found.tolist()) == sorted(
            vec.vocabulary_[g] for g in analyze(doc)
        )
    assert len(np.unique(keys)) == len(keys)
