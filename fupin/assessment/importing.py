"""Reading the reduction tasks (减贫任务) from CSV/XLSX: columns 区划代码, 减贫任务（人）. Every row
is checked and every problem named with its row number; nothing is written unless all are good."""

from pathlib import Path

from fupin.core.tables import TableError, read_table
from fupin.regions.codes import InvalidCode, Level, normalize_code
from fupin.regions.models import Region

COLUMNS = {
    "code": ("区划代码", "代码", "region_code"),
    "name": ("名称", "区划名称"),
    "task": ("减贫任务（人）", "减贫任务(人)", "减贫任务", "reduction_task"),
}
ASSESSED = (Level.COUNTY, Level.TOWNSHIP, Level.CITY, Level.PROVINCE)


def read_targets(path: str | Path) -> tuple[list[tuple[str, int]], list[str]]:
    """(rows, errors): rows as (code, task) when there are no errors."""
    errors, rows, seen = [], [], {}
    try:
        table = list(read_table(path, columns=COLUMNS, required=("code", "task")))
    except TableError as exc:
        return [], [str(exc)]
    parsed = []
    for row in table:
        n, raw_code, raw_task = row.number, row.values.get("code", ""), row.values.get("task", "")
        try:
            code = normalize_code(raw_code)
        except InvalidCode as exc:
            errors.append(f"第 {n} 行 区划代码：{exc}")
            continue
        if code in seen:
            errors.append(f"第 {n} 行 区划代码：{code} 与第 {seen[code]} 行重复")
            continue
        seen[code] = n
        try:
            task = int(str(raw_task).strip())
            if task < 0:
                raise ValueError
        except ValueError:
            errors.append(f"第 {n} 行 减贫任务（人）：“{str(raw_task)[:20]}”应为不小于 0 的整数")
            continue
        parsed.append((n, code, task))
    levels = dict(Region.objects.filter(code__in=[c for _, c, _ in parsed]).values_list("code", "level"))
    for n, code, task in parsed:
        if code not in levels:
            errors.append(f"第 {n} 行 区划代码：{code} 不存在")
        elif levels[code] not in ASSESSED:
            errors.append(f"第 {n} 行 区划代码：{code} 是{Level.LABELS[levels[code]]}，减贫任务应下达到县或乡镇")
        else:
            rows.append((code, task))
    if not table:
        errors.append("文件中没有数据行")
    return (rows if not errors else []), errors
