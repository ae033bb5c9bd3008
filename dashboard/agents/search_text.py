"""What search reads of a snapshot's agents, laid out so that a search scans each long text once.

Long texts (instructions, greetings, flows) are mostly copied from agent to agent: on a fleet
shaped like a real one they are four fifths of the characters, and a fraction of them are
distinct. So an agent's short texts are joined into one string per agent, and each distinct long
text is kept once with the agents that carry it. The parts of an agent's text used to be joined
by a line break, so a needle without one is in that text exactly when it is in one of its parts:
this finds the same agents as scanning every agent's whole text, in far fewer characters (a
search across ten organizations reads each one's, one after another).
"""

from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import accumulate

from dashboard.fields import Field, PhoneAgent, ValueContext
from dashboard.fields.registry import UNDECLARED

# A text this long or longer is kept once per distinct value; shorter ones (names, ids, numbers,
# which are mostly unique) stay in the agent's own string, where a scan is cheapest.
LONG = 64
SEPARATOR = "\0"


class SearchText:
    """The case-folded search text of a list of agents, minus the fields hidden from a reader."""

    def __init__(self, short: list[str], long: dict[str, list[int]]) -> None:
        # Every agent's short texts (joined by line breaks) in one string, each agent's after a NUL:
        # one `find` in C jumps from hit to hit instead of a Python step per agent.
        self._short = SEPARATOR.join(short)
        self._starts = array("q", accumulate((len(text) + 1 for text in short), initial=0))
        self._long = list(long.items())  # each distinct long text, and the agents carrying it

    @classmethod
    def of(
        cls, agents: Sequence[PhoneAgent], fields: Iterable[Field], context: ValueContext, hidden: frozenset[str]
    ) -> "SearchText":
        fields = [field for field in fields if field.name not in hidden]
        short: list[str] = []
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
            short.append("\n".join(kept).casefold())
        folded: defaultdict[str, list[int]] = defaultdict(list)
        for text, positions in long.items():  # texts that differ only in case are one to search
            folded[text.casefold()].extend(positions)
        return cls(short, folded)

    def positions(self, needle: str) -> list[int]:
        """The agents whose text holds `needle` (case-folded), possibly repeated and out of order."""
        found = self._short_positions(needle)
        for text, positions in self._long:
            if needle in text:
                found.extend(positions)
        return found

    def _short_positions(self, needle: str) -> list[int]:
        starts, short = self._starts, self._short
        if not needle or SEPARATOR in needle:  # could span two agents' texts: look at each on its own
            return [
                position
                for position in range(len(starts) - 1)
                if needle in short[starts[position] : starts[position + 1] - 1]
            ]
        found = []
        at = short.find(needle)
        while at != -1:
            position = bisect_right(starts, at) - 1
            found.append(position)
            at = short.find(needle, starts[position + 1])  # the next agent's text
        return found
