import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import ROLE_RULES, Role, RoleRules


class User(AbstractUser):
    """A person who signs in; bound to a region (and for a school admin, an organization)."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.HELPER)
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                               verbose_name=_("管辖区域"), help_text=_("空表示全国(仅系统管理员)"))
    organization = models.ForeignKey("registry.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     verbose_name=_("所属单位"))
    display_name = models.CharField(_("姓名"), max_length=40, blank=True)
    person = models.OneToOneField("registry.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="user", verbose_name=_("本人档案"),
                                  help_text=_("帮扶责任人等本人在人员库中的记录，用于“我的帮扶”"))

    class Meta:
        verbose_name = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(region__isnull=False),
                name="accounts_user_region_required",
                violation_error_message=_("除系统管理员外，每个账号都要指定管辖区域"),
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_rules(self) -> RoleRules:
        return ROLE_RULES[self.role]

    @property
    def scope(self):
        from bangfu.accounts.scope import Scope

        return Scope.of(self)


class ApiToken(models.Model):
    """A bearer token for /api/v1/; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=60)
    key_hash = models.BinaryField(_("令牌摘要"), max_length=32, unique=True)
    key_prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def digest(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()
