"""Which frozen blocks use which link labels, so that a link definition renders again only those.

A reference link (``[the docs]``, ``[text][label]``) is a link only if its label is defined
somewhere in the document, even further down. ``MarkdownBlocks`` parses with ``Lookups`` as the
document's references: they note every label each top-level block looks up (``note_blocks``
is markdown-it's core ``inline`` rule, telling them which block is being parsed). A block that
never looked a label up parses the same whatever that label's target, so when a definition
arrives, changes or goes, ``LinkDefinitions`` names the frozen blocks that asked for it: the
only ones whose HTML can change.
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Mapping, MutableMapping
from typing import Any

from markdown_it.rules_core.state_core import StateCore

Target = tuple[str, str]  # a definition's href and title


class Lookups(ChainMap[str, Any]):
    """Link definitions to parse with, the new ones going into the first mapping; notes each label looked up, by block."""

    def __init__(self, *maps: MutableMapping[str, Any]) -> None:
        super().__init__(*maps)
        self.block = 0  # the top-level block being parsed
        self.asked: defaultdict[int, set[str]] = defaultdict(set)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked[self.block].add(key)
        return super().get(key, default)

    @property
    def found(self) -> MutableMapping[str, Any]:
        """The definitions the parse found that were not known before it."""
        return self.maps[0]

    def everything_asked(self) -> set[str]:
        """Every label the parse looked up, whichever block asked."""
        return set().union(*self.asked.values())


def note_blocks(state: StateCore) -> None:
    """markdown-it's core ``inline`` rule, telling ``Lookups`` which top-level block each run of inline text is in."""
    references = state.env.get("references")
    block = -1
    for token in state.tokens:
        if token.level == 0 and token.nesting >= 0:
            block += 1
        if token.type == "inline":
            if isinstance(references, Lookups):
                references.block = block
            if token.children is None:
                token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _targets(definitions: Mapping[str, Any]) -> dict[str, Target]:
    return {label: (ref["href"], ref["title"]) for label, ref in definitions.items()}


class LinkDefinitions:
    """The frozen region's link definitions, the open region's as last parsed, and who looked up which label."""

    def __init__(self) -> None:
        self.frozen: dict[str, Any] = {}  # earlier than any later one, so never overridden
        self._open: dict[str, Target] = {}
        self._users: defaultdict[str, set[int]] = defaultdict(set)  # label -> frozen blocks that looked it up

    def lookups(self, *found: MutableMapping[str, Any]) -> Lookups:
        """References for a parse: a fresh mapping for what it finds, then ``found``, then the frozen definitions."""
        return Lookups({}, *found, self.frozen)

    def changed(self, lookups: Lookups) -> set[str]:
        """Labels whose target a parse of the open region defined, changed or dropped since the last ``settle``."""
        if not lookups.found and not self._open:
            return set()
        now = _targets(lookups.found)
        return {label for label in now.keys() | self._open.keys() if now.get(label) != self._open.get(label)}

    def settle(self, lookups: Lookups, frozen_before: int) -> None:
        """Keep a parse's definitions: those ending before line ``frozen_before`` are frozen, the rest still open."""
        if not lookups.found and not self._open:
            return
        for label, ref in lookups.found.items():
            if ref["map"][1] <= frozen_before:
                self.frozen[label] = ref
        self._open = _targets({label: ref for label, ref in lookups.found.items() if label not in self.frozen})

    def note(self, block: int, labels: set[str]) -> None:
        """Frozen block ``block`` looked up ``labels`` (a frozen definition never changes: those need no note)."""
        for label in labels - self.frozen.keys():
            self._users[label].add(block)

    def users(self, labels: set[str]) -> list[int]:
        """The frozen blocks that looked up any of ``labels``, in order."""
        return sorted(set().union(*(self._users.get(label, set()) for label in labels)))
