from ninja import Field, Query, Router, Schema

from bangfu.regions.selectors import region_children, region_search
from bangfu.schemas import Limit

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    full_name: str
    initials: str
    parent_id: str | None


class RegionQuery(Schema):
    q: str = ""
    level: int | None = Field(None, ge=1, le=5)
    limit: Limit = 20


@router.get("/", response=list[RegionOut], summary="按代码、名称或拼音首字母查找区划(限管辖范围)")
def regions(request, query: Query[RegionQuery]):
    return region_search(scope=request.auth.scope, q=query.q, level=query.level, limit=min(query.limit, 200))


@router.get("/{code}/children", response=list[RegionOut], summary="下级区划")
def children(request, code: str):
    return region_children(scope=request.auth.scope, code=code)
