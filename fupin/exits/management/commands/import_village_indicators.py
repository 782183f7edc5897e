from fupin.exits.services import village_indicators_import

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "导入村级指标（行政村信息表的列：行政村代码、是否通客运班车、行政村卫生室个数……）；任一行有误则全部不写入"
    service = staticmethod(village_indicators_import)
