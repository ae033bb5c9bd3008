"""`GET /phone`'s body read once, the way every consumer will read it.

Some valid (or nearly valid) JSON cannot travel on through the dashboard: a lone surrogate
(`"\\ud800"`) or a NUL decodes into a Python string that no page, export or database can
encode; an integer beyond 64 bits cannot be encoded by orjson (JSON exports, raw JSON, the
history's hashes); nesting deeper than `MAX_DEPTH` is beyond what orjson encodes; bytes that are
not UTF-8, a 5,000-digit integer or nesting beyond Python's recursion make the whole list
undecodable. Here each such record is repaired (text gets U+FFFD, a wide integer becomes text)
or, when it cannot be, left out, with a `ParseProblem` naming it, and the body the dashboard
keeps is re-encoded from the repaired records, so nothing downstream ever decodes the hostile
form again.

Almost every body needs none of this, and a fleet of 50,000 agents must not pay a Python walk of
its strings to learn so: `_clean` proves a body clean with C-speed scans only (`bytes.find`,
`bytes.translate`, orjson's decoder and encoder). Only a body that fails them is split into its
top-level elements and looked at one element at a time.
"""

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from .bulk import bulk_allocation, list_elements

# Levels of nesting a record may have (the record itself is level 1). orjson encodes at most 254
# (`ORJSON_LEVELS`); the margin leaves room for what exports and the API wrap a record in.
MAX_DEPTH = 64
ORJSON_LEVELS = 254
# 2**63 has 19 digits: a run of 19 digits anywhere may be an integer orjson reads as a float.
WIDE_DIGITS = 19
INT64_MIN, UINT64_MAX = -(2**63), 2**64 - 1

_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))  # every digit a "0"
_SPACE = re.compile(r"[ \t\n\r]*")
# Tokens that matter for finding where an element too deep to decode ends: strings and brackets.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_ID_VALUE = re.compile(r'\s*:\s*("(?:[^"\\]|\\.)*")')
_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # how `surrogateescape` carries a byte that is not UTF-8


class NotAList(ValueError):
    """The body is JSON, but not a list; `kind` says what it is ("dict")."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"a JSON {kind}, not a list")
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Something in the upstream payload that could not be read as it was sent or as the schema
    says: repaired or left out here, or read as not set by the registry (`index` counts from 0)."""

    index: int
    agent_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        who = f"agent {self.agent_id!r}" if self.agent_id is not None else f"record #{self.index + 1}"
        where = f", field {self.field!r}" if self.field else ""
        return f"{who}{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class AgentList:
    """`GET /phone` as read: the decoded records (not yet validated), the body to keep, what was repaired."""

    records: list[Any]
    # As received when nothing needed repair; else the repaired records, encoded again (UTF-8).
    body: bytes
    problems: tuple[ParseProblem, ...] = ()


def read_agent_list(body: bytes) -> AgentList:
    """The agent list in `body`; ValueError when it is not JSON, `NotAList` when it is JSON of another shape."""
    records = _clean(body)
    if records is not None:
        return AgentList(records, body)
    with bulk_allocation():
        return _Repair(body).run()


def _clean(body: bytes) -> list[Any] | None:
    """The records when the body needs no repair (proved at C speed), else None."""
    if b"\\u0000" in body or b"0" * WIDE_DIGITS in body.translate(_DIGITS_ONLY):
        return None
    try:
        with bulk_allocation():
            records = orjson.loads(body)
    except orjson.JSONDecodeError:  # surrogates, bytes not UTF-8, too deep, too long a number, or not JSON
        return None
    if not isinstance(records, list):
        raise NotAList(type(records).__name__)
    padded: Any = records  # so that encoding fails exactly when a record is deeper than MAX_DEPTH
    for _ in range(ORJSON_LEVELS - MAX_DEPTH - 1):
        padded = [padded]
    try:
        orjson.dumps(padded)
    except orjson.JSONEncodeError:
        return None
    return records


class _Wide(str):
    """An integer beyond 64 bits, as its digits (`parse_int` makes these)."""


class _NotANumber(str):
    """`NaN`, `Infinity`, `-Infinity` or a number too large for a float (`1e400`): not JSON, though
    Python's decoder reads them; as written (`parse_constant` and `parse_float` make these)."""


def _integer(digits: str) -> int | str:
    if len(digits) <= WIDE_DIGITS + 1:
        number = int(digits)
        if INT64_MIN <= number <= UINT64_MAX:
            return number
    return _Wide(digits)


class _Repair:
    """The slow path: the list split into its elements, each one kept, repaired or left out."""

    def __init__(self, body: bytes) -> None:
        encoding = json.detect_encoding(body)
        # A byte that is not UTF-8 becomes a lone surrogate of its own, found and repaired like the others.
        self.body = body
        self.text = body.decode(encoding, "surrogateescape" if encoding == "utf-8" else "strict")
        self.wide: list[str] = []
        self.decode = json.JSONDecoder(
            parse_int=self._integer, parse_float=self._float, parse_constant=self._not_a_number, strict=False
        ).raw_decode
        self.problems: list[ParseProblem] = []
        self.records: list[Any] = []
        self.pieces: list[str] = []
        self.changed = False

    def _not_a_number(self, written: str) -> str:
        self.wide.append(written)  # like a wide integer: the record is repaired, not kept as sent
        return _NotANumber(written)

    def _float(self, written: str) -> float | str:
        number = float(written)
        return number if math.isfinite(number) else self._not_a_number(written)

    def _integer(self, digits: str) -> int | str:
        number = _integer(digits)
        if type(number) is _Wide:
            self.wide.append(number)
        return number

    def run(self) -> AgentList:
        for index, (start, end, item) in enumerate(self._elements()):
            self._keep(index, start, self.text[start:end], item)
        if not self.changed:
            return AgentList(self.records, self.body)
        body = ("[" + ",".join(self.pieces) + "]").encode()
        return AgentList(self.records, body, tuple(self.problems))

    def _elements(self) -> Iterator[tuple[int, int, Any]]:
        """(start, end, decoded item or `_TooDeep`) of each element of the list."""
        text = self.text
        at = _SPACE.match(text).end()
        if text[at : at + 1] != "[":
            value = json.loads(text)  # ValueError when it is not JSON at all
            raise NotAList(type(value).__name__)
        return list_elements(text, self._decode)

    def _decode(self, text: str, at: int) -> tuple[Any, int]:
        try:
            return self.decode(text, at)
        except RecursionError:
            return _TooDeep(), _end_of_element(text, at)

    def _keep(self, index: int, start: int, source: str, item: Any) -> None:
        wide, self.wide = self.wide, []
        if isinstance(item, _TooDeep):
            return self._leave_out(index, _id_in(source), f"nested more than {MAX_DEPTH} deep")
        if not wide and "\x00" not in source and "\\u0000" not in source and _encodable(item):
            self.records.append(item)
            self.pieces.append(source)
            return
        not_utf8 = _NOT_UTF8.search(source)
        fix = _Fix(None if not_utf8 is None else self._byte_at(start + not_utf8.start()))
        try:
            item = fix.value(item, 1)
        except _TooDeep:
            agent_id = item.get("id") if isinstance(item, dict) else None
            return self._leave_out(index, _repaired_id(agent_id), f"nested more than {MAX_DEPTH} deep")
        agent_id = item.get("id") if isinstance(item, dict) else None
        agent_id = agent_id if isinstance(agent_id, str) else None
        for field, message in fix.found:
            self.problems.append(ParseProblem(index, agent_id, field, message))
        self.records.append(item)
        self.pieces.append(json.dumps(item, ensure_ascii=False, allow_nan=True))
        self.changed = True

    def _leave_out(self, index: int, agent_id: str | None, why: str) -> None:
        self.problems.append(ParseProblem(index, agent_id, None, f"{why}; the agent is left out"))
        self.changed = True

    def _byte_at(self, at: int) -> int:
        """Where in the body the character at `at` of the decoded text starts (counting from 1)."""
        return len(self.text[:at].encode("utf-8", "surrogateescape")) + 1


class _TooDeep(Exception):
    """An element nested more than MAX_DEPTH deep (or too deep to decode at all)."""


def _encodable(item: Any) -> bool:
    """Whether orjson encodes `item` as it is: no lone surrogates, and nesting within its limit."""
    try:
        orjson.dumps(item)
    except orjson.JSONEncodeError:
        return False
    return True


class _Fix:
    """Repairs one record: text gets U+FFFD, wide integers become text, too deep raises `_TooDeep`."""

    def __init__(self, not_utf8_at: int | None) -> None:
        self.not_utf8_at = not_utf8_at
        self.found: list[tuple[str | None, str]] = []  # (top-level key, what was wrong)
        self.field: str | None = None

    def value(self, value: Any, depth: int) -> Any:
        if type(value) is _NotANumber:
            self.found.append((self.field, f"{value[:40]} is not a JSON number: read as not set"))
            return None
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | dict) and depth > MAX_DEPTH:
            raise _TooDeep()
        if isinstance(value, list):
            return [self.value(item, depth + 1) for item in value]
        if isinstance(value, dict):
            fixed = {}
            for key, item in value.items():
                if depth == 1:
                    self.field = _UNENCODABLE.sub("\ufffd", key)  # a problem in the key is the key's own
                key = self.text(key)
                fixed[key] = self.value(item, depth + 1)
            return fixed
        return value

    def text(self, value: str) -> str:
        if type(value) is _Wide:
            digits = len(value.lstrip("-"))
            self.found.append((self.field, f"an integer of {digits:,} digits, beyond 64 bits: kept as text"))
            return str(value)
        bad = _UNENCODABLE.search(value)
        if bad is None:
            return value
        self.found.append((self.field, f"{self._what(bad.group())}, replaced with U+FFFD"))
        return _UNENCODABLE.sub("\ufffd", value)

    def _what(self, character: str) -> str:
        if character == "\x00":
            return "a NUL character"
        if self.not_utf8_at is not None and "\udc80" <= character <= "\udcff":
            return f"bytes that are not UTF-8 at byte {self.not_utf8_at:,} of the answer"
        return f"text that cannot be encoded (a lone surrogate U+{ord(character):04X})"


def encodable(text: str) -> str:
    """`text` with what no page or database can encode (lone surrogates, NUL) replaced by U+FFFD."""
    return _UNENCODABLE.sub("\ufffd", text)


def _repaired_id(agent_id: Any) -> str | None:
    return _UNENCODABLE.sub("\ufffd", agent_id) if isinstance(agent_id, str) else None


def _end_of_element(text: str, at: int) -> int:
    """Where the object or list starting at `at` ends (ValueError if it does not)."""
    depth = 0
    for token in _TOKEN.finditer(text, at):
        mark = token.group()
        if mark in "[{":
            depth += 1
        elif mark in "]}":
            depth -= 1
            if depth == 0:
                return token.end()
    raise ValueError("an unterminated list or object")


def _id_in(source: str) -> str | None:
    """The `"id"` of the object `source` holds, read without decoding it (it is too deep to)."""
    depth = 0
    for token in _TOKEN.finditer(source):
        mark = token.group()
        if mark in "[{":
            depth += 1
        elif mark in "]}":
            depth -= 1
        elif depth == 1 and mark == '"id"' and (value := _ID_VALUE.match(source, token.end())):
            try:
                return _repaired_id(json.loads(value.group(1)))
            except ValueError:
                return None
    return None
