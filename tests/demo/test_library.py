"""The demo library: a lesson note for every knowledge point of every demo subject, with key
ideas, worked examples and typical mistakes, and the committed files match their sources."""

from __future__ import annotations

from pathlib import Path

from yincai.demo.library import LIBRARY, library_files, render_library
from yincai.demo.subjects import SUBJECTS, points_of_subject
from yincai.library.documents import read_file


def test_the_committed_notes_are_rendered_from_the_current_sources() -> None:
    rendered = render_library()
    on_disk = {
        name.removeprefix("library/"): file.read_text("utf-8") for name, file in library_files()
    }
    assert set(on_disk) == set(rendered), "run: python -m yincai.demo.library"
    stale = [name for name, text in rendered.items() if on_disk[name] != text]
    assert not stale, f"{len(stale)} stale notes, e.g. {stale[:3]}: python -m yincai.demo.library"


def test_every_point_has_a_note_with_its_three_parts_and_its_tags() -> None:
    for subject in SUBJECTS:
        for point in points_of_subject(subject):
            file = LIBRARY / subject.folder / f"{point.code}.md"
            name = Path(file.name)
            parsed = read_file(name, file.read_bytes())
            assert parsed.meta["subject"] == subject.name and parsed.meta["grade"] == point.grade
            assert parsed.meta["knowledge_points"] == [point.code], name
            headings = [s.heading for s in parsed.sections]
            assert headings[0] == "知识要点" and headings[-1] == "易错提醒", name
            assert "例题讲解" in headings
            notes = parsed.sections[0].text
            assert len(notes) >= 60, name  # the key idea, not only the curriculum links
