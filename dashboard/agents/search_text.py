"""What search reads of a snapshot's agents, laid out so that a search is a few scans in C.

Long texts (instructions, greetings, flows) are often copied from agent to agent, so each
distinct one is kept once with the agents that carry it; an agent's short texts are joined into
one text per agent. The parts of an agent's text used to be joined by a line break, so a needle
without one is in that text exactly when it is in one of its parts: the same agents are found.

Each kind is one UTF-8 block (texts separated by NUL) searched with StringZilla, whose SIMD
substring search reads a block about ten times as fast as `str.find`: a search across ten
organizations reads every one's block, so the scan is most of what such a search costs.
"""

from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence

import stringzilla

from dashboard.fields import Field, PhoneAgent, ValueContext
from dashboard.fields.registry import UNDECLARED

# A text this long or longer is kept once per distinct value; shorter ones (names, ids, numbers,
# which are mostly unique) stay in the agent's own text.
LONG = 64
SEPARATOR = b"\0"


def _utf8(text: str) -> bytes:
    # Texts from JSON may hold lone surrogates; encoded alike in texts and needles, they still match.
    return text.encode("utf-8", "surrogatepass")


class _Block:
    """Texts in one NUL-separated UTF-8 block, found by number. Texts are added one by one into a
    single growing buffer: a list of tens of thousands of small strings, joined, would leave the
    worker's small-object memory fragmented (tens of MB more RSS at 50,000 agents)."""

    def __init__(self) -> None:
        self._growing: bytearray | None = bytearray()
        # Where each text starts, and one past the end of the last (each text ends with a NUL).
        self._starts = array("q", [0])

    def add(self, text: str) -> None:
        assert self._growing is not None, "a block is not added to once it is searched"
        self._growing += _utf8(text)
        self._growing += SEPARATOR
        self._starts.append(len(self._growing))

    def seal(self) -> "_Block":
        # bytes, not the bytearray: StringZilla's view holds no buffer export that would stop a
        # bytearray from moving.
        self._bytes = bytes(self._growing or b"")
        self._growing = None
        self._view = stringzilla.Str(self._bytes)  # a view of the bytes, not a copy
        return self

    def holding(self, needle: bytes) -> list[int]:
        """The numbers of the texts that hold `needle`, in order."""
        starts, count = self._starts, len(self._starts) - 1
        if not needle or SEPARATOR in needle:  # could span two texts: look at each on its own
            return [number for number in range(count) if needle in self._bytes[starts[number] : starts[number + 1] - 1]]
        found = []
        at = self._view.find(needle)
        while at != -1:
            number = bisect_right(starts, at) - 1
            found.append(number)
            at = self._view.find(needle, starts[number + 1])  # on from the next text
        return found


class SearchText:
    """The case-folded search text of a list of agents, minus the fields hidden from a reader."""

    def __init__(self, short: _Block, long: dict[str, list[int]]) -> None:
        self._short = short.seal()  # per agent: its short texts, joined by line breaks
        self._long = _Block()  # each distinct long text
        for text in long:
            self._long.add(text)
        self._long.seal()
        self._carriers = list(long.values())  # and, in the same order, the agents carrying it

    @classmethod
    def of(
        cls, agents: Sequence[PhoneAgent], fields: Iterable[Field], context: ValueContext, hidden: frozenset[str]
    ) -> "SearchText":
        fields = [field for field in fields if field.name not in hidden]
        short = _Block()
        long: defaultdict[str, list[int]] = defaultdict(list)
        for position, agent in enumerate(agents):
            parts: list[str] = []
            for field in fields:
                value = field.read(agent)
                if value is not None:
                    parts.extend(field.kind.texts(value, context))
            for key, value in agent.extra.items():  # what OpenCX sends that the registry does not declare
                if key not in hidden:
                    parts.extend(UNDECLARED.texts(value))
            kept = []
            for part in parts:
                if len(part) >= LONG:
                    long[part].append(position)
                else:
                    kept.append(part)
            short.add("\n".join(kept).casefold())
        folded: defaultdict[str, list[int]] = defaultdict(list)
        for text, positions in long.items():  # texts that differ only in case are one to search
            folded[text.casefold()].extend(positions)
        return cls(short, folded)

    def positions(self, needle: str) -> list[int]:
        """The agents whose text holds `needle` (case-folded), possibly repeated and out of order."""
        encoded = _utf8(needle)
        found = self._short.holding(encoded)
        for number in self._long.holding(encoded):
            found.extend(self._carriers[number])
        return found
