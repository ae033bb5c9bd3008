"""Exporting a list as shown (every page, the current filters, order and columns): CSV, JSON, XLSX.

CSV and JSON stream row by row, so a fleet of 50,000 agents starts downloading at once and no
worker holds it all in memory; XLSX is written by `xlsx.py`, every cell typed (text is never
taken for a formula there). Rows come from each column's kind (`plain`
for JSON, `spreadsheet` for CSV and XLSX), never from rendered HTML.

JSON carries each agent as an object keyed by column key, plus the fields OpenCX sent that this
dashboard does not know, under their own names; CSV and XLSX carry the columns under their labels.
Each person exports one file at a time.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse

from dashboard.fields import Column, PhoneAgent, ValueContext
from dashboard.fields.kinds import PLAIN

from .xlsx import workbook

FORMATS = ("csv", "json", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HIDDEN = "hidden"
# A spreadsheet opening a CSV runs a cell that starts like a formula; a leading apostrophe makes it
# text. A number written with its sign (an E.164 phone number, "+14155550123") is no formula.
FORMULA = re.compile(r"[=@\t\r]|[+-](?![\d ().-]*\Z)")
BUSY_KEY = "switchboard:export:{who}"
BUSY_SECONDS = 120  # the most one export may take before its hold lapses on its own


def neutralised(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and FORMULA.match(value) else value


@dataclass(frozen=True)
class Sheet:
    """What an export writes: a header per column, then the rows, made as they are written."""

    title: str
    headers: list[str]
    rows: Iterable[list[Any]]
    keys: list[str]  # the JSON objects' keys


def agent_sheet(
    agents: Sequence[PhoneAgent],
    columns: Sequence[Column],
    *,
    json: bool,
    hidden: frozenset[str] = frozenset(),
    context: ValueContext = PLAIN,
) -> Sheet:
    """The agents' rows as a spreadsheet reads them (`json` off) or as JSON carries them."""
    if json:
        # Fields OpenCX sent that the registry does not declare travel under their own names.
        extra = sorted({key for agent in agents for key in agent.extra})
        keys = [column.key for column in columns] + extra

        def json_rows() -> Iterator[list[Any]]:
            for agent in agents:
                yield [
                    HIDDEN if column.field.name in hidden else column.kind.plain(column.value(agent), context)
                    for column in columns
                ] + [HIDDEN if key in hidden else agent.extra.get(key) for key in extra]

        return Sheet("Agents", keys, json_rows(), keys)

    def spreadsheet_rows() -> Iterator[list[Any]]:
        for agent in agents:
            yield [
                HIDDEN if column.field.name in hidden else column.kind.spreadsheet(column.value(agent), context)
                for column in columns
            ]

    return Sheet("Agents", [column.label for column in columns], spreadsheet_rows(), [c.key for c in columns])


class _Line(io.StringIO):
    """What csv.writer writes one row into, handed on as bytes."""

    def take(self) -> bytes:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text.encode()


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(sheet.headers)
    yield b"\xef\xbb\xbf" + line.take()  # a byte-order mark, so spreadsheets read the text as UTF-8
    batch = []
    for row in sheet.rows:
        writer.writerow([neutralised(value) for value in row])
        batch.append(line.take())
        if len(batch) == 500:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)


def json_chunks(sheet: Sheet) -> Iterator[bytes]:
    yield b"["
    separator = b"\n"
    for row in sheet.rows:
        yield separator + orjson.dumps(dict(zip(sheet.keys, row, strict=True)), default=str)
        separator = b",\n"
    yield b"\n]\n"


def xlsx_bytes(sheet: Sheet) -> bytes:
    return workbook(sheet.title, sheet.headers, sheet.rows)


def export_response(
    export_format: str, sheet: Sheet, *, name: str, fetched_at: datetime, release: Callable[[], None]
) -> HttpResponse:
    """The file download, named for the snapshot it comes from; `release` runs when it is sent."""
    filename = f"{name}-{fetched_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.{export_format}"
    if export_format == "xlsx":
        try:
            response: HttpResponse = HttpResponse(xlsx_bytes(sheet), content_type=CONTENT_TYPES["xlsx"])
        finally:
            release()
    else:
        chunks = csv_chunks(sheet) if export_format == "csv" else json_chunks(sheet)
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[export_format])
        # The server closes the response once it is sent, or once the client has gone.
        response._resource_closers.append(release)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def hold_export(who: str) -> Callable[[], None] | None:
    """Takes this person's one export; None while another of theirs is still being made."""
    key = BUSY_KEY.format(who=who)
    if not cache.add(key, 1, timeout=BUSY_SECONDS):
        return None
    return lambda: cache.delete(key)
