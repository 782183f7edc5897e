from fupin.exits.services import samples_import

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "导入退出核查样本（脱贫人口抽查、非建档立卡人口抽查、群众认可度调查）；任一行有误则全部不写入"
    service = staticmethod(samples_import)
