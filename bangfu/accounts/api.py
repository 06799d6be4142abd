from ninja import Router, Schema

router = Router(tags=["账号"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    region_code: str | None
    region_name: str | None


@router.get("/me", response=MeOut, summary="当前用户及其管辖范围")
def me(request):
    user = request.auth
    return MeOut(username=user.username, display_name=str(user), role=user.role, role_label=user.get_role_display(),
                 region_code=user.region_id, region_name=user.region.full_name if user.region_id else None)
