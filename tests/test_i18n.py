"""The catalogues are complete and current, and messages render in either language."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from yincai.errors import NotFound, RowError
from yincai.i18n import LOCALE_DIR, Message, _, placeholders, translate

ROOT = Path(__file__).parents[1]
KEYWORDS = {
    "_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}  # as in the Makefile's `make messages`


def _msgids(path: Path) -> set[str]:
    with path.open("rb") as po_file:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po_file) if m.id}


def test_the_template_is_what_extraction_finds_now() -> None:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    committed = _msgids(LOCALE_DIR / "messages.pot")
    assert sorted(found - committed) == [], "new texts: run make messages and translate them"
    assert sorted(committed - found) == [], "texts gone: run make messages"


def test_every_message_has_an_english_translation_with_the_same_placeholders() -> None:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    entries = [m for m in catalog if m.id]
    assert len(entries) > 400
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in entries} == _msgids(
        LOCALE_DIR / "messages.pot"
    )
    for message in entries:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert not message.fuzzy, message.id
        assert all(s.strip() for s in strings), message.id
        assert all(placeholders(s) == placeholders(ids[0]) for s in strings), message.id


def test_a_message_reads_as_chinese_and_renders_its_parts_in_one_language() -> None:
    reason = _("“{text}”不是数字").format(text="abc")
    message = _("第 {label} 题").format(label="3")
    assert message == "第 3 题" and isinstance(message, str)
    assert message.msgid == "第 {label} 题" and message.params == {"label": "3"}
    assert pickle.loads(pickle.dumps(message)).render("en") == "Item 3"
    row = RowError("scores.csv", 3, "学号", reason)  # the column is data: it stays as it is
    assert translate(row.message, "zh") == "scores.csv 第 3 行，学号 列：“abc”不是数字"
    assert translate(row.message, "en") == "scores.csv, row 3, column 学号: “abc” is not a number"
    assert translate("登录", "en") == "Log in" and translate("登录", "zh") == "登录"
    assert translate(Message("没有这个译文 {x}", {"x": 1}), "en") == "没有这个译文 1"


def test_an_error_keeps_its_code_and_parameters_whatever_the_language() -> None:
    error = NotFound(_("考试 {code} 不存在").format(code="E1"), code="assessment.not_found")
    assert error.code == "assessment.not_found" and error.params == {"code": "E1"}
    assert error.text_in("zh") == "考试 E1 不存在"
    assert error.text_in("en") == "Assessment E1 does not exist"


def test_no_module_that_imports_the_marker_rebinds_it() -> None:
    """``for _ in …`` or ``a, _, b = …`` outside a comprehension would turn ``_("…")`` into a
    call of whatever was bound last (ruff does not see every such case)."""
    rebound = []
    for path in sorted((ROOT / "src" / "yincai").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(
            isinstance(node, ast.ImportFrom)
            and node.module == "yincai.i18n"
            and any(alias.name == "_" for alias in node.names)
            for node in tree.body
        ):
            continue
        comprehensions = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        inside = {
            id(name) for comp in ast.walk(tree) if isinstance(comp, comprehensions)
            for name in ast.walk(comp)
        }  # fmt: skip
        rebound += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == "_"
            and isinstance(node.ctx, ast.Store) and id(node) not in inside
        ]  # fmt: skip
    assert rebound == []
