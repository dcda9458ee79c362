"""Subject access (查阅、复制): a ZIP of everything held about one student, one JSON and one CSV
per registered table, with a README in Chinese saying what each file is."""

from __future__ import annotations

import enum
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from yincai.domain.models import Student
from yincai.errors import NotFound
from yincai.i18n import _
from yincai.privacy.registry import REGISTRY, Erasure
from yincai.spreadsheets import Cell, csv_bytes

ERASURE_NAMES = {
    Erasure.ANONYMISE: "匿名化（去除身份与联系信息）",
    Erasure.DELETE: "删除",
    Erasure.KEEP: "保留（学生身份删除后即为假名化数据）",
}


@dataclass(frozen=True)
class SubjectExport:
    """The ZIP's bytes and how many rows of each table it holds."""

    data: bytes
    counts: dict[str, int]
    file_name: str


def export_student(
    session: Session, *, student_id: int, now: datetime | None = None
) -> SubjectExport:
    """Everything the registry lists about the student, as a ZIP (no scope check, no audit:
    the caller does both)."""
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    now = now or datetime.now(UTC)
    counts: dict[str, int] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in REGISTRY:
            columns = entry.exported_columns()
            rows = [
                {column: _plain(row[column]) for column in columns}
                for row in session.execute(entry.rows(student_id)).mappings()
            ]
            counts[entry.name] = len(rows)
            archive.writestr(
                f"{entry.name}.json", json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
            )
            archive.writestr(f"{entry.name}.csv", _csv(columns, rows))
        archive.writestr("README.md", _readme(student, counts, now))
    return SubjectExport(
        data=buffer.getvalue(),
        counts=counts,
        file_name=f"student-{student.id}-data-{now.date().isoformat()}.zip",
    )


def _plain(value: Any) -> Any:
    """A JSON value: dates as ISO text, enums as their value, bytes left out."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    return csv_bytes([columns, *([_text(row[column]) for column in columns] for row in rows)])


def _text(value: Any) -> Cell:
    return value if value is None or isinstance(value, int | float | str) else str(value)


def _readme(student: Student, counts: dict[str, int], now: datetime) -> str:
    lines = [
        "# 个人信息副本 / copy of personal data",
        "",
        f"学生编号（内部）：{student.id}　学号：{student.student_number}",
        f"生成时间（UTC）：{now.isoformat(timespec='seconds')}",
        "",
        "本压缩包包含因材平台保存的与该学生有关的全部数据，每张数据表一个 JSON 文件和一个 CSV 文件"
        "（内容相同，CSV 可用 Excel 打开）。密码等安全凭据不在其中。",
        "",
        "| 文件 | 内容 | 行数 | 删除个人信息时的处理 |",
        "|---|---|---|---|",
    ]
    for entry in REGISTRY:
        lines.append(
            f"| {entry.name}.json / .csv | {entry.about} | {counts[entry.name]} | "
            f"{ERASURE_NAMES[entry.erasure]} |"
        )
    lines += [
        "",
        "如发现信息有误，或希望撤回同意、删除个人信息，请联系学校或区县教育局的数据管理员。",
        "",
        "This archive holds every row the platform keeps about the student, one JSON and one CSV",
        "file per table; credentials are left out. Contact the school's data officer to correct,",
        "withdraw consent or erase.",
        "",
    ]
    return "\n".join(lines)
