"""Reading an agent's `flow`: any JSON upstream, in practice a tree of nodes with children."""

from dataclasses import dataclass
from typing import Any

MAX_OUTLINE_NODES = 500


@dataclass(frozen=True, slots=True)
class FlowNode:
    depth: int
    type: str
    content: str

    @property
    def indent(self) -> int:
        """Indentation level for display, capped so a deep tree stays readable."""
        return min(self.depth, 12)


def flow_outline(flow: Any) -> tuple[list[FlowNode], int]:
    """Nodes depth-first for an indented outline (at most `MAX_OUTLINE_NODES`), and the total count.

    Tolerates any JSON: anything that is not a node object counts as nothing.
    """
    outline: list[FlowNode] = []
    total = 0
    stack: list[tuple[int, Any]] = [(0, node) for node in reversed(flow if isinstance(flow, list) else [flow])]
    while stack:
        depth, node = stack.pop()
        if not isinstance(node, dict):
            continue
        total += 1
        if len(outline) < MAX_OUTLINE_NODES:
            outline.append(FlowNode(depth, _text(node.get("type")), _text(node.get("content"))))
        children = node.get("children")
        if isinstance(children, list):
            stack.extend((depth + 1, child) for child in reversed(children))
    return outline, total


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def flow_texts(flow: Any) -> list[str]:
    """The text of every node of the outline, for search."""
    outline, _ = flow_outline(flow)
    return [node.content for node in outline if node.content]
