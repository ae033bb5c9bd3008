"""What search reads of a snapshot's agents, laid out so that a search is a few scans in C.

Search finds the agents one of whose texts (a name, a number, an instruction, a key term…) holds
the case-folded needle. Long texts (instructions, greetings, flows) are often copied from agent
to agent, so each distinct one is kept once with the agents that carry it; an agent's short texts
are kept together, one after another.

Both are UTF-8 blocks in which NUL ends every text, searched with StringZilla, whose SIMD
substring search reads a block about ten times as fast as `str.find`: a search across ten
organizations reads every one's block, so the scan is most of what such a search costs. A NUL
inside a text (or a needle) is searched as U+FFFD, so that a match never runs from one text into
the next.
"""

from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence

import stringzilla

from dashboard.fields import Field, PhoneAgent, ValueContext
from dashboard.fields.registry import UNDECLARED

# A text this long or longer is kept once per distinct value; shorter ones (names, ids, numbers,
# which are mostly unique) stay with the agent's other short texts.
LONG = 64
END = "\0"


def searched(text: str) -> str:
    """A text, or a needle, as search compares it."""
    return text.replace(END, "\ufffd").casefold()


def _utf8(text: str) -> bytes:
    # Texts from JSON may hold lone surrogates; encoded alike in texts and needles, they still match.
    return text.encode("utf-8", "surrogatepass")


class _Block:
    """Entries of NUL-ended texts in one UTF-8 block, found by number. Texts are added one by one
    into a single growing buffer: a list of tens of thousands of small strings, joined, would leave
    the worker's small-object memory fragmented (tens of MB more RSS at 50,000 agents)."""

    def __init__(self) -> None:
        self._growing: bytearray | None = bytearray()
        self._starts = array("q", [0])  # where each entry starts, and where the last one ends

    def add(self, texts: Iterable[str]) -> None:
        """One entry: these texts (as `searched` makes them), each ended by a NUL."""
        assert self._growing is not None, "a block is not added to once it is searched"
        for text in texts:
            self._growing += _utf8(text)
            self._growing += END.encode()
        self._starts.append(len(self._growing))

    def seal(self) -> "_Block":
        # bytes, not the bytearray: StringZilla's view holds no buffer export that would stop a
        # bytearray from moving.
        self._bytes = bytes(self._growing or b"")
        self._growing = None
        self._view = stringzilla.Str(self._bytes)  # a view of the bytes, not a copy
        return self

    def holding(self, needle: bytes) -> list[int]:
        """The numbers of the entries one of whose texts holds `needle` (which has no NUL), in order."""
        starts = self._starts
        if not needle:  # in every text, even an entry of none (as "" is in "")
            return list(range(len(starts) - 1))
        found = []
        at = self._view.find(needle)
        while at != -1:
            number = bisect_right(starts, at) - 1
            found.append(number)
            at = self._view.find(needle, starts[number + 1])  # on from the next entry
        return found


class SearchText:
    """The search text of a list of agents, minus the fields hidden from a reader."""

    def __init__(self, short: _Block, long: dict[str, list[int]]) -> None:
        self._short = short.seal()  # an entry per agent: its short texts
        self._long = _Block()  # an entry per distinct long text
        for text in long:
            self._long.add((text,))
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
                    long[searched(part)].append(position)  # texts that differ only in case are one
                else:
                    kept.append(searched(part))
            short.add(kept)
        return cls(short, long)

    def positions(self, needle: str) -> list[int]:
        """The agents one of whose texts holds `needle`, possibly repeated and out of order."""
        encoded = _utf8(searched(needle))
        found = self._short.holding(encoded)
        for number in self._long.holding(encoded):
            found.extend(self._carriers[number])
        return found
