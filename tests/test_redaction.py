"""The log filter blanks phone, ID-card and student numbers, in messages and tracebacks."""

from __future__ import annotations

import logging

import pytest

from yincai.redaction import REDACTED, install_redaction, redact


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "+86 138-1234-5678",
        "110101201203071234",
        "11010120120307123X",
        "2025001",
        "W20260001",
        "0571-87654321",
        "zhang.san@example.cn",
    ],
)
def test_personal_numbers_are_blanked_wherever_they_stand(text: str) -> None:
    assert redact(f"学号{text}，") == f"学号{REDACTED}，"
    assert text not in redact(f"row 3: {text!r} is invalid")


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-02 22:37:13,123",
        "line 1234",
        "error 3f9a1c2e",
        "0x7ffe3a2b1c40",
        "token 5f0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a",
        "/students/123/assessments/45",
    ],
)
def test_dates_ids_and_tokens_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_every_log_record_is_redacted_message_arguments_and_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_redaction()
    logger = logging.getLogger("yincai.test.redaction")
    with caplog.at_level(logging.INFO):
        logger.info("import of %s failed for %s", "students.csv", "13812345678")
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/x?n=2025001", "1.1", 200)
        try:
            raise ValueError("guardian phone 13900001111 is invalid")
        except ValueError:
            logger.exception("row %d rejected", 7)
    first, access, failure = caplog.records
    assert first.getMessage() == f"import of students.csv failed for {REDACTED}"
    assert access.args == (
        "127.0.0.1:5000",
        "GET",
        f"/x?n={REDACTED}",
        "1.1",
        200,
    )  # positions kept
    assert failure.exc_info is None and failure.exc_text is not None
    assert "ValueError: guardian phone" in failure.exc_text
    assert "13900001111" not in caplog.text and "13812345678" not in caplog.text
