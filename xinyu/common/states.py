"""Which status a record may move to from the one it has. Each status enum declares its moves next to it
(`Moves(Status, {from: (to, ...)})`); the services check a move before they write it, and the tests walk
every pair of states against the table."""

from collections.abc import Iterable, Iterator, Mapping

from django.db import models
from django.utils.translation import gettext as _


class Moves:
    """The moves a status enum allows: from each state, the states it may become. A state missing from
    the table is final."""

    def __init__(self, states: type[models.TextChoices], table: Mapping[str, Iterable[str]]):
        known = set(states.values)
        for current, targets in table.items():
            strangers = ({current} | set(targets)) - known
            if strangers:
                raise ValueError(f"{states.__qualname__}: {sorted(strangers)} are not states")
        self.states = states
        self._table = {state: frozenset(table.get(state, ())) for state in states.values}

    def allowed(self, current: str) -> frozenset[str]:
        """The states `current` may become."""
        return self._table[current]

    def allows(self, current: str, target: str) -> bool:
        return target in self._table.get(current, frozenset())

    def check(self, current: str, target: str, *, error: type[Exception], message: str = "") -> None:
        """Refuse a move the table does not allow with the app's `error`: `message` where the service has
        its own words for it, else a sentence naming both states."""
        if self.allows(current, target):
            return
        raise error(
            message
            or _("This cannot go from “%(current)s” to “%(target)s”.")
            % {"current": self._label(current), "target": self._label(target)}
        )

    def final(self) -> frozenset[str]:
        """The states nothing moves on from."""
        return frozenset(state for state, targets in self._table.items() if not targets)

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every (from, to) pair of states, allowed or not, staying put included: what a test walks."""
        for current in self.states.values:
            for target in self.states.values:
                yield current, target

    def _label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else state
