"""Filtering the agent list: a plain Django form whose cleaned data becomes predicates.

The data is a list of records, not a QuerySet. Choices come from the snapshot itself, so
values this dashboard has never seen can be filtered on too. A value no agent has is not an
error: it is ignored with a message, and the rest of the filters still apply.
"""

import re
from collections.abc import Callable, Iterable

from django import forms
from django.conf.locale import LANG_INFO

from dashboard.opencx.schema import PhoneAgent

# The choice that matches agents where the field is not set.
NOT_SET = "~none"
NOT_SET_LABEL = "— not set"

Predicate = Callable[[PhoneAgent], bool]


def language_label(code: str) -> str:
    name = LANG_INFO.get(code.lower(), {}).get("name")
    return f"{name} ({code})" if name else code


class AgentFilterForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Search name, phone number or id"}),
    )
    type = forms.MultipleChoiceField(required=False, label="Type", widget=forms.CheckboxSelectMultiple)
    model = forms.MultipleChoiceField(required=False, label="Model", widget=forms.CheckboxSelectMultiple)
    language = forms.MultipleChoiceField(required=False, label="Language", widget=forms.CheckboxSelectMultiple)
    stt_model = forms.MultipleChoiceField(required=False, label="STT model", widget=forms.CheckboxSelectMultiple)

    # field -> how to read its values from an agent (several for list fields)
    VALUES: dict[str, Callable[[PhoneAgent], Iterable[str | None]]] = {
        "type": lambda agent: (agent.type,),
        "model": lambda agent: (agent.model,),
        "language": lambda agent: agent.language or (None,),
        "stt_model": lambda agent: (agent.stt_model,),
    }

    def __init__(self, data: object, *, agents: Iterable[PhoneAgent]) -> None:
        super().__init__(data)
        seen: dict[str, set[str | None]] = {name: set() for name in self.VALUES}
        for agent in agents:
            for name, read in self.VALUES.items():
                seen[name].update(read(agent))
        for name, values in seen.items():
            label = language_label if name == "language" else str
            choices = [(value, label(value)) for value in sorted(v for v in values if v is not None)]
            if None in values:
                choices.append((NOT_SET, NOT_SET_LABEL))
            self.fields[name].choices = choices

    @property
    def choice_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.VALUES]

    def ignored(self) -> list[str]:
        """One sentence per filter that could not be applied and was left out."""
        messages = []
        for name, errors in self.errors.items():
            label = self.fields[name].label
            raw = ", ".join(repr(value) for value in self.data.getlist(name)) if name in self.VALUES else ""
            if name in self.VALUES:
                messages.append(f"No agent has the {label.lower()} {raw}: that filter was ignored.")
            else:
                messages.append(f"{label}: {' '.join(errors)} The search was ignored.")
        return messages

    def active(self) -> dict[str, list[str]]:
        """The filters in force: field name -> chosen values (the search as a one-item list)."""
        cleaned = self.cleaned_data if self.is_bound else {}
        active = {name: cleaned[name] for name in self.VALUES if cleaned.get(name)}
        if cleaned.get("q"):
            active["q"] = [cleaned["q"]]
        return active

    def predicates(self) -> list[Predicate]:
        predicates: list[Predicate] = []
        for name, chosen in self.active().items():
            if name == "q":
                predicates.append(_search(chosen[0]))
            else:
                predicates.append(_any_of(self.VALUES[name], chosen))
        return predicates

    def apply(self, agents: Iterable[PhoneAgent]) -> list[PhoneAgent]:
        """The agents every active filter accepts (AND across fields, OR within one)."""
        self.is_valid()  # fills cleaned_data with every valid field; invalid ones are reported
        predicates = self.predicates()
        return [agent for agent in agents if all(accept(agent) for accept in predicates)]


def _any_of(read: Callable[[PhoneAgent], Iterable[str | None]], chosen: list[str]) -> Predicate:
    wanted = {None if value == NOT_SET else value for value in chosen}
    return lambda agent: not wanted.isdisjoint(read(agent))


PHONE_LIKE = re.compile(r"[\d\s()+.\-]*\d[\d\s()+.\-]*")


def _search(query: str) -> Predicate:
    """Case-insensitive; a query that looks like a phone number also matches however it is spaced."""
    needle = query.casefold()
    digits = re.sub(r"\D", "", query) if PHONE_LIKE.fullmatch(query) else ""

    def matches(agent: PhoneAgent) -> bool:
        phone = agent.phone_number or ""
        return (
            needle in agent.id.casefold()
            or (agent.name is not None and needle in agent.name.casefold())
            or needle in phone.casefold()
            or (digits != "" and digits in re.sub(r"\D", "", phone))
        )

    return matches
