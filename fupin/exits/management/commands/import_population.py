from fupin.exits.services import population_import

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "导入乡村人口（列：区划代码、乡村人口、乡村户数；村或县）；任一行有误则全部不写入；按区划和年度更新"
    service = staticmethod(population_import)
