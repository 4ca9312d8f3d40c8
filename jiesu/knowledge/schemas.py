"""Request and answer shapes of the knowledge-base API.

Texts are checked by the service, not here (beyond their type), so an empty answer, an
unknown category or an article too large gets the same stable code from the API, the pages,
the command line and an imported file.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ArticleUpdate(BaseModel):
    """A new version's content (every change is a new version)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    topic: str = Field(description="主题，如：公积金提取条件")
    questions: list[str] = Field(default_factory=list,
                                 description="市民的常见问法，一条一句")
    answer: str = Field(description="统一答复口径（坐席照此答复）")
    category: str = Field(description="分类（分类目录中的任一级，或“一级/二级/三级”）")
    tags: list[str] = Field(default_factory=list)
    internal_note: str = Field(default="", description="仅坐席可见的说明，不公开")
    valid_from: dt.datetime | None = Field(default=None, description="生效时间，默认立即")
    valid_to: dt.datetime | None = Field(default=None, description="失效时间，默认长期有效")
    submit: bool = Field(default=False, description="保存后直接提交中心审核")


class ArticleCreate(ArticleUpdate):
    code: str | None = Field(default=None, max_length=40, description="编号，默认自动 KB-00001")
    owner_unit_id: int | None = Field(default=None, description="负责单位；承办单位默认本单位")


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=2000, description="审核意见（退回时必填）")


class VersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    article_id: int
    number: int
    status: str
    topic: str
    questions: list[str]
    answer: str
    category: str
    tags: list[str]
    internal_note: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    created_by_id: int | None
    created_at: dt.datetime
    published_at: dt.datetime | None
    ended_at: dt.datetime | None


class ArticlePublic(BaseModel):
    id: int
    code: str
    owner_unit_id: int
    owner_unit_name: str
    created_at: dt.datetime
    status: str  # the article's standing: published / pending / expired / withdrawn ...
    current: VersionPublic | None  # the version in force now, if any
    latest: VersionPublic  # the newest version (maybe a draft)


class ArticleList(BaseModel):
    data: list[ArticlePublic]
    count: int


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version_id: int
    action: str
    actor_id: int | None
    actor_name: str | None = None
    note: str
    at: dt.datetime


class ArticleHistory(BaseModel):
    article: ArticlePublic
    versions: list[VersionPublic]
    events: list[EventPublic]


class SearchHitPublic(BaseModel):
    article_id: int
    version_id: int
    code: str
    topic: str
    question: str
    answer: str
    category: str
    tags: list[str]
    owner_unit_id: int
    internal_note: str
    valid_to: dt.datetime | None
    score: float
    highlight: dict[str, str]  # topic / question / answer, HTML with <mark>


class SearchAnswer(BaseModel):
    query: str
    data: list[SearchHitPublic]
    count: int
    took_ms: float


class PublicHit(BaseModel):
    """What a citizen sees: no internal note, no ids of people."""

    code: str
    topic: str
    question: str
    answer: str
    category: str
    owner_unit_name: str
    valid_to: dt.date | None
    highlight: dict[str, str]


class PublicSearchAnswer(BaseModel):
    query: str
    data: list[PublicHit]
    count: int


class UseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version_id: int
    order_id: int | None = None
    line_id: int | None = None


class UsePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    article_id: int
    version_id: int
    user_id: int | None
    order_id: int | None
    line_id: int | None
    at: dt.datetime


class TopArticle(BaseModel):
    article_id: int
    code: str
    topic: str
    uses: int


class TopArticleList(BaseModel):
    data: list[TopArticle]
    count: int


class ZeroQuery(BaseModel):
    query: str
    searches: int
    last_at: dt.datetime


class ZeroQueryList(BaseModel):
    data: list[ZeroQuery]
    count: int


class SynonymCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    word: str = Field(min_length=1, max_length=40)
    canonical: str = Field(min_length=1, max_length=40)


class SynonymPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    word: str
    canonical: str


class SynonymList(BaseModel):
    data: list[SynonymPublic]
    count: int


class ImportRowError(BaseModel):
    line: int
    field: str
    reason: str


class ImportReport(BaseModel):
    created: int
    updated: int
    unchanged: int
    errors: list[ImportRowError]
