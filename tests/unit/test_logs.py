"""Structured logs: JSON lines with the job and task ids of the work they concern."""

from __future__ import annotations

import io
import json
import logging
import threading

from cloudinv.observability.logs import ContextFilter, JsonFormatter, TextFormatter, log_context


def logger_to(stream: io.StringIO, formatter: logging.Formatter) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test.logs.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_json_lines_carry_the_context_ids() -> None:
    stream = io.StringIO()
    log = logger_to(stream, JsonFormatter())
    log.info("outside")
    with log_context(job_id="job-1", job_task_id="job-task-1", sub_task_id=None):
        log.warning("inside %d", 42)
        with log_context(sub_task_id="sub-task-1"):
            log.info("nested")
        log.info("explicit wins", extra={"job_id": "job-2"})
    log.info("after")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["outside", "inside 42", "nested", "explicit wins", "after"]
    assert "job_id" not in lines[0] and "job_id" not in lines[4]
    assert lines[1]["level"] == "WARNING" and lines[1]["time"].endswith("Z")
    assert (lines[1]["job_id"], lines[1]["job_task_id"]) == ("job-1", "job-task-1") and "sub_task_id" not in lines[1]
    assert lines[2]["sub_task_id"] == "sub-task-1"
    assert lines[3]["job_id"] == "job-2"


def test_the_context_belongs_to_one_thread() -> None:
    stream = io.StringIO()
    log = logger_to(stream, JsonFormatter())
    with log_context(job_id="job-1"):
        thread = threading.Thread(target=lambda: log.info("other thread"))
        thread.start()
        thread.join()
    assert "job_id" not in json.loads(stream.getvalue())


def test_text_lines_append_the_ids_before_a_traceback() -> None:
    stream = io.StringIO()
    log = logger_to(stream, TextFormatter())
    with log_context(job_id="job-1"):
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
    first, *rest = stream.getvalue().splitlines()
    assert first.endswith("failed [job_id=job-1]")
    assert rest[0].startswith("Traceback") and rest[-1] == "ValueError: boom"


def test_exceptions_are_kept_in_json() -> None:
    stream = io.StringIO()
    log = logger_to(stream, JsonFormatter())
    try:
        raise RuntimeError("broken")
    except RuntimeError:
        log.exception("failed")
    assert "RuntimeError: broken" in json.loads(stream.getvalue())["exception"]
