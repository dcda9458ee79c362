"""Backups: a consistent online snapshot of the database in one file, and its restore.

A backup is a ZIP holding ``manifest.json`` (format, yincai version, backend, schema revision,
the row count of every table and the payload's SHA-256) and the payload:

- SQLite: ``database.sqlite``, made with SQLite's online backup API (readers and writers go on;
  the copy is one consistent snapshot), counted from the copy itself.
- PostgreSQL: ``database.pgdump``, ``pg_dump --format=custom`` of the snapshot that the row
  counts were read in (``pg_export_snapshot`` + ``--snapshot``), so counts and data agree even
  while the platform keeps writing.

A restore goes into an empty database only (it never merges), checks the payload's digest,
then checks that every table holds the manifest's row count, and brings the schema up to date.
Encryption keys kept in the data folder are not part of a backup: keep them apart (see
docs/operations.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url

from yincai import __version__
from yincai.config import Settings
from yincai.db import PRIVATE_FILE_MODE, make_engine, make_private_dir
from yincai.errors import Conflict, Invalid
from yincai.i18n import _
from yincai.migrations import upgrade

FORMAT = "yincai-backup/1"
MANIFEST = "manifest.json"
SQLITE_PAYLOAD = "database.sqlite"
PG_PAYLOAD = "database.pgdump"
PAGES_PER_STEP = 1024  # SQLite backup step: writers wait at most one step, never the whole copy


@dataclass(frozen=True)
class Manifest:
    format: str
    yincai_version: str
    created_at: str
    backend: str
    revision: str | None
    row_counts: dict[str, int]
    payload: str
    payload_sha256: str


def create_backup(settings: Settings, target: Path) -> Manifest:
    """Write a backup of the configured database to ``target`` (a new file, mode 600)."""
    if target.exists():
        raise Conflict(
            _("{target} 已存在，请换一个文件名").format(target=str(target)),
            code="backup.file_exists",
        )
    engine = make_engine(settings)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            if engine.dialect.name == "sqlite":
                payload = Path(scratch) / SQLITE_PAYLOAD
                _sqlite_snapshot(_sqlite_file(engine), payload)
                counts, revision = _sqlite_counts(payload)
            else:
                payload = Path(scratch) / PG_PAYLOAD
                counts, revision = _pg_dump(engine, settings, payload)
            manifest = Manifest(
                format=FORMAT,
                yincai_version=__version__,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                backend=engine.dialect.name,
                revision=revision,
                row_counts=counts,
                payload=payload.name,
                payload_sha256=_sha256(payload),
            )
            _write_zip(target, manifest, payload)
    finally:
        engine.dispose()
    return manifest


def read_manifest(source: Path) -> Manifest:
    try:
        with zipfile.ZipFile(source) as archive:
            data = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise Invalid(
            _("{name} 不是因材的备份文件（{error}）").format(name=source.name, error=str(error)),
            code="backup.not_a_backup",
        ) from None
    if data.get("format") != FORMAT:
        raise Invalid(
            _("{name}：不支持的备份格式 {format}").format(
                name=source.name, format=str(data.get("format"))
            ),
            code="backup.unknown_format",
        )
    return Manifest(**data)


def restore_backup(settings: Settings, source: Path) -> Manifest:
    """Restore ``source`` into the configured database, which must be empty; check it."""
    manifest = read_manifest(source)
    engine = make_engine(settings)
    try:
        if engine.dialect.name != manifest.backend:
            raise Invalid(
                _("备份来自 {backend}，不能恢复到 {name}").format(
                    backend=manifest.backend, name=engine.dialect.name
                ),
                code="backup.wrong_backend",
            )
        _require_empty(engine)
        with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(source) as archive:
            payload = Path(archive.extract(manifest.payload, scratch))
            if _sha256(payload) != manifest.payload_sha256:
                raise Invalid(_("备份文件已损坏（校验和不符）"), code="backup.damaged")
            if manifest.backend == "sqlite":
                engine.dispose()
                _sqlite_restore(payload, _sqlite_file(engine))
            else:
                _pg_restore(engine, settings, payload)
        found = table_counts(engine)
        wrong = {
            table: (count, found.get(table))
            for table, count in manifest.row_counts.items()
            if found.get(table) != count
        }
        if wrong:
            raise Invalid(
                _("恢复后行数与备份不符：{wrong}").format(wrong=str(wrong)),
                code="backup.row_counts",
            )
        upgrade(engine)  # a backup of an older version is brought up to date
    finally:
        engine.dispose()
    return manifest


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows of every table of the database (alembic's own included)."""
    with engine.connect() as connection:
        return _counts(connection)


def _counts(connection: Connection) -> dict[str, int]:
    names = inspect(connection).get_table_names()
    return {
        name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        for name in sorted(names)
    }


def _revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _require_empty(engine: Engine) -> None:
    counts = table_counts(engine)
    filled = {name: count for name, count in counts.items() if count and name != "alembic_version"}
    if filled:
        raise Conflict(
            "只能恢复到空数据库；目标数据库已有数据（"
            + "、".join(f"{name} {count} 行" for name, count in list(filled.items())[:5])
            + "）/ restore needs an empty database"
        )


def _sqlite_file(engine: Engine) -> Path:
    return Path(str(engine.url.database))


def _sqlite_snapshot(database: Path, payload: Path) -> None:
    if not database.exists():
        raise Invalid(
            _("数据库文件不存在：{database}").format(database=str(database)),
            code="backup.no_database",
        )
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    copy = sqlite3.connect(payload)
    try:
        source.backup(copy, pages=PAGES_PER_STEP)
    finally:
        copy.close()
        source.close()


def _sqlite_counts(payload: Path) -> tuple[dict[str, int], str | None]:
    engine = make_engine(Settings(database_url=f"sqlite:///{payload}"))
    try:
        with engine.connect() as connection:
            return _counts(connection), _revision(connection)
    finally:
        engine.dispose()


def _sqlite_restore(payload: Path, database: Path) -> None:
    check = sqlite3.connect(payload)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()
    finally:
        check.close()
    if result is None or result[0] != "ok":
        raise Invalid(
            _("备份中的数据库未通过完整性检查：{result}").format(result=str(result)),
            code="backup.integrity",
        )
    make_private_dir(database.parent)
    for suffix in ("-wal", "-shm"):  # leftovers of the empty database would corrupt the copy
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    temporary = database.with_suffix(".restoring")
    shutil.copyfile(payload, temporary)
    os.chmod(temporary, PRIVATE_FILE_MODE)
    temporary.replace(database)


def _libpq_url(engine: Engine) -> str:
    return (
        make_url(str(engine.url.render_as_string(hide_password=False)))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _pg_dump(
    engine: Engine, settings: Settings, payload: Path
) -> tuple[dict[str, int], str | None]:
    with engine.connect() as connection:
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts, revision = _counts(connection), _revision(connection)
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                   f"--snapshot={snapshot}", f"--file={payload}"]  # fmt: skip
        if settings.database_schema:
            command.append(f"--schema={settings.database_schema}")
        _run([*command, _libpq_url(engine)], "pg_dump")
        connection.rollback()
    return counts, revision


def _pg_restore(engine: Engine, settings: Settings, payload: Path) -> None:
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
               "--single-transaction", f"--dbname={_libpq_url(engine)}"]  # fmt: skip
    if settings.database_schema:
        with engine.begin() as connection:  # the schema of an empty database may be absent
            connection.exec_driver_sql(
                f'DROP SCHEMA IF EXISTS "{settings.database_schema}" CASCADE'
            )
    else:
        command.append("--clean")  # an empty database still holds an empty alembic_version
        command.append("--if-exists")
    _run([*command, str(payload)], "pg_restore")


def _run(command: list[str], name: str) -> None:
    if shutil.which(command[0]) is None:
        raise Invalid(
            _("找不到 {name}，请安装 PostgreSQL 客户端（Debian: postgresql-client）").format(
                name=name
            ),
            code="backup.client_missing",
        )
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Invalid(
            _("{name} 失败：{error}").format(name=name, error=done.stderr.strip()[-500:]),
            code="backup.client_failed",
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_zip(target: Path, manifest: Manifest, payload: Path) -> None:
    make_private_dir(target.parent)
    temporary = target.with_name(target.name + ".part")
    descriptor = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE_MODE)
    with (
        os.fdopen(descriptor, "wb") as stream,
        zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        archive.writestr(MANIFEST, json.dumps(asdict(manifest), ensure_ascii=False, indent=2))
        archive.write(payload, manifest.payload)
    temporary.replace(target)
