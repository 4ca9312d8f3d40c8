"""Routes of the knowledge base: search (agents, and the public), articles and their
versions, review, withdrawal, uses, the centre's lists, synonyms, import and export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from jiesu.core.api import SessionDep, commit
from jiesu.core.errors import InvalidInput
from jiesu.core.ids import Offset, PathId, QueryId
from jiesu.core.openapi import CSV, XLSX, downloads
from jiesu.core.roles import Principal, Role
from jiesu.knowledge import search as kb_search
from jiesu.knowledge import service, transfer, views
from jiesu.knowledge.models import VersionStatus
from jiesu.knowledge.schemas import (
    ArticleCreate,
    ArticleHistory,
    ArticleList,
    ArticlePublic,
    ArticleUpdate,
    ImportReport,
    PublicSearchAnswer,
    ReviewDecision,
    SearchAnswer,
    SynonymCreate,
    SynonymList,
    SynonymPublic,
    TopArticle,
    TopArticleList,
    UseCreate,
    UsePublic,
    VersionPublic,
    ZeroQuery,
    ZeroQueryList,
)
from jiesu.units.auth import AdminPrincipal, CurrentPrincipal, require

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge"])
public_router = APIRouter(prefix="/api/v1/public/kb", tags=["knowledge"])

CentrePrincipal = Annotated[Principal, Depends(require(Role.supervisor, Role.admin))]
WriterPrincipal = Annotated[Principal, Depends(require(Role.supervisor, Role.admin,
                                                       Role.handler))]
AnswererPrincipal = Annotated[Principal, Depends(require(Role.agent, Role.dispatcher,
                                                         Role.supervisor))]
Q = Annotated[str, Query(max_length=kb_search.MAX_QUERY, description="坐席输入的问题")]
MAX_IMPORT_BYTES = 20 * 1024 * 1024


@router.get("/search", response_model=SearchAnswer)
def search(
    session: SessionDep, principal: CurrentPrincipal, q: Q = "",
    category: Annotated[str | None, Query(max_length=120, description="工单的建议分类")] = None,
    line_id: Annotated[int | None, Query(description="来电所在专线：其答复优先")] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
    record: Annotated[bool, Query(description="无结果时记入“待补充答复”清单")] = True,
) -> SearchAnswer:
    """边输入边检索已发布、在有效期内的答复口径，匹配词以 <mark> 标出。"""
    ranked = service.search(session, principal, q, category=category, line_id=line_id,
                            limit=limit, record=record)
    data = [views.hit_public(h) for h in ranked.hits]
    commit(session)
    return SearchAnswer(query=ranked.query, data=data, count=len(data), took_ms=ranked.took_ms)


@public_router.get("/search", response_model=PublicSearchAnswer)
def public_search(session: SessionDep, q: Q = "",
                  limit: Annotated[int, Query(ge=1, le=20)] = 10) -> PublicSearchAnswer:
    """市民公开查询：只含已发布的答复，只含公开字段（无需登录）。"""
    ranked = service.search(session, None, q, limit=limit, record=False)
    data = [views.public_hit(session, h) for h in ranked.hits]
    return PublicSearchAnswer(query=ranked.query, data=data, count=len(data))


STATUS_PATTERN = f"^({'|'.join(s.value for s in VersionStatus)})$"


@router.get("/articles", response_model=ArticleList)
def list_articles(
    session: SessionDep, principal: WriterPrincipal,
    status: Annotated[str | None, Query(pattern=STATUS_PATTERN)] = None,
    unit_id: QueryId = None, text: Annotated[str | None, Query(max_length=100)] = None,
    offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ArticleList:
    """知识条目：中心看全部，承办单位看本单位的。status 按最新版本的状态筛选。"""
    rows, count = service.list_articles(session, principal, status=status, unit_id=unit_id,
                                        text=text, offset=offset, limit=limit)
    return ArticleList(data=[views.article_public(session, a) for a in rows], count=count)


@router.post("/articles", response_model=VersionPublic, status_code=201)
def create_article(session: SessionDep, principal: WriterPrincipal,
                   body: ArticleCreate) -> VersionPublic:
    """新建条目（第 1 版草稿；submit=true 直接提交审核）。"""
    version = service.create_article(session, principal, body)
    result = views.version_public(version)
    commit(session)
    return result


@router.get("/articles/{article_id}", response_model=ArticlePublic)
def get_article(session: SessionDep, principal: WriterPrincipal,
                article_id: PathId) -> ArticlePublic:
    return views.article_public(session, service.readable_article(session, principal, article_id))


@router.get("/articles/{article_id}/history", response_model=ArticleHistory)
def article_history(session: SessionDep, principal: WriterPrincipal,
                    article_id: PathId) -> ArticleHistory:
    """全部版本与每一步（谁、何时、做了什么）。"""
    return views.history(session, service.readable_article(session, principal, article_id))


@router.post("/articles/{article_id}/versions", response_model=VersionPublic, status_code=201)
def save_version(session: SessionDep, principal: WriterPrincipal, article_id: PathId,
                 body: ArticleUpdate) -> VersionPublic:
    """修改即新版本（草稿；submit=true 直接提交审核）。"""
    service.readable_article(session, principal, article_id)
    version = service.save_version(session, principal, article_id, body)
    result = views.version_public(version)
    commit(session)
    return result


@router.post("/articles/{article_id}/withdraw", response_model=ArticlePublic)
def withdraw(session: SessionDep, principal: CentrePrincipal, article_id: PathId,
             body: ReviewDecision) -> ArticlePublic:
    """撤回：立即从检索中消失。"""
    article = service.withdraw(session, principal, article_id, body.note)
    result = views.article_public(session, article)
    commit(session)
    return result


def _owned_version(session: SessionDep, principal: Principal, version_id: int) -> None:
    version = service.get_version(session, version_id)
    service.readable_article(session, principal, version.article_id)


@router.post("/versions/{version_id}/propose", response_model=VersionPublic)
def propose(session: SessionDep, principal: WriterPrincipal,
            version_id: PathId) -> VersionPublic:
    """提交中心审核。"""
    _owned_version(session, principal, version_id)
    result = views.version_public(service.propose(session, principal, version_id))
    commit(session)
    return result


@router.post("/versions/{version_id}/publish", response_model=VersionPublic)
def publish(session: SessionDep, principal: CentrePrincipal, version_id: PathId,
            body: ReviewDecision) -> VersionPublic:
    """审核通过并发布（自生效时间起可被检索）。"""
    result = views.version_public(service.publish(session, principal, version_id, body.note))
    commit(session)
    return result


@router.post("/versions/{version_id}/reject", response_model=VersionPublic)
def reject(session: SessionDep, principal: CentrePrincipal, version_id: PathId,
           body: ReviewDecision) -> VersionPublic:
    """退回（须写明理由）。"""
    result = views.version_public(service.reject(session, principal, version_id, body.note))
    commit(session)
    return result


@router.get("/review", response_model=list[VersionPublic])
def review_queue(session: SessionDep, principal: CentrePrincipal) -> list[VersionPublic]:
    """待中心审核的版本，先提交的在前。"""
    return [views.version_public(v) for v in service.review_queue(session)]


@router.post("/uses", response_model=UsePublic, status_code=201)
def record_use(session: SessionDep, principal: AnswererPrincipal, body: UseCreate) -> UsePublic:
    """坐席用某一版本答复了来电（计入使用次数）。"""
    use = service.record_use(session, principal, body.version_id, order_id=body.order_id,
                             line_id=body.line_id)
    result = UsePublic.model_validate(use)
    commit(session)
    return result


@router.get("/top", response_model=TopArticleList)
def top_articles(session: SessionDep, principal: CentrePrincipal,
                 limit: Annotated[int, Query(ge=1, le=200)] = 20) -> TopArticleList:
    """按使用次数排序的答复口径。"""
    rows = service.top_articles(session, limit=limit)
    return TopArticleList(data=[TopArticle(article_id=r.article_id, code=r.code, topic=r.topic,
                                           uses=r.uses) for r in rows], count=len(rows))


@router.get("/zero-results", response_model=ZeroQueryList)
def zero_results(session: SessionDep, principal: CentrePrincipal,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50) -> ZeroQueryList:
    """坐席检索无结果的问题（问得最多的在前）：下一步要编写的答复。"""
    rows = service.zero_result_queries(session, limit=limit)
    return ZeroQueryList(data=[ZeroQuery(query=r.query, searches=r.searches, last_at=r.last_at)
                               for r in rows], count=len(rows))


@router.get("/synonyms", response_model=SynonymList)
def list_synonyms(session: SessionDep, principal: CentrePrincipal) -> SynonymList:
    rows = service.list_synonyms(session)
    return SynonymList(data=[SynonymPublic.model_validate(r) for r in rows], count=len(rows))


@router.post("/synonyms", response_model=SynonymPublic, status_code=201)
def add_synonym(session: SessionDep, principal: AdminPrincipal,
                body: SynonymCreate) -> SynonymPublic:
    """同义词：检索时 word 按 canonical 查找（如 物管费 → 物业费）。"""
    result = SynonymPublic.model_validate(service.add_synonym(session, body.word, body.canonical))
    commit(session)
    return result


@router.get("/export", responses=downloads(CSV, XLSX))
def export(session: SessionDep, principal: CentrePrincipal,
           format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv") -> Response:
    """导出全部条目的最新版本（CSV 或 XLSX，可原样导入）。"""
    data, media = transfer.export_articles(session, format)
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="knowledge.{format}"'})


@router.post("/import", response_model=ImportReport)
async def import_articles(request: Request, session: SessionDep,
                          principal: CentrePrincipal) -> ImportReport:
    """批量导入（multipart 字段 file：CSV 或 XLSX）：全部无误才写入，否则逐行报告错误（行、字段、
    原因）且不写入任何数据；重复导入同一文件不产生新版本。?publish=true 直接发布。"""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > MAX_IMPORT_BYTES:
        raise InvalidInput("文件过大", code="kb_import_too_large")
    form = await request.form(max_part_size=MAX_IMPORT_BYTES)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("请上传文件（字段 file）", code="kb_import_no_file",
                           details={"field": "file"})
    body = await upload.read()
    kind = transfer.sniff(body, upload.content_type or "")
    if (upload.filename or "").lower().endswith(".xlsx"):
        kind = "xlsx"
    publish_now = request.query_params.get("publish", "").lower() in ("1", "true", "yes")

    def work() -> ImportReport:
        report = transfer.import_articles(session, principal, body, kind, publish=publish_now)
        commit(session)
        return report

    return await run_in_threadpool(work)
