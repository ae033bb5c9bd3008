"""Filtering the agent list: one Django form whose cleaned data becomes sets of agents.

The data is a snapshot, not a QuerySet: each active filter selects a bitmask of agents from the
snapshot's index (`index.py`), filters combine with AND across fields and OR within one, and
each facet value is counted under all the *other* active filters. Which filters exist comes from
the field registry; choices come from the snapshot itself, so values this dashboard has never
seen can be filtered on too. A value that cannot apply is ignored with a message; the other
filters still apply. Fields hidden from the reader cannot be filtered on.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django import forms
from django.http import QueryDict

from dashboard.fields import Field
from dashboard.fields.kinds import Integer, Moment
from dashboard.fields.registry import Facet, Presence, Range, YesNo

from .index import FleetIndex

# The choice that matches agents where the field is not set.
NOT_SET = "~none"
NOT_SET_LABEL = "— not set"
# Agents a configuration finding flags (rule ids from dashboard.agents.findings), any of several.
FINDING_FILTER = "finding"
BOOLEAN_CHOICES = [("", "any"), ("yes", "yes"), ("no", "no"), ("unset", "not set")]
PRESENCE_CHOICES = [("", "any"), ("set", "has"), ("unset", "has not")]
PHONE_LIKE = re.compile(r"[\d\s()+.\-]*\d[\d\s()+.\-]*")
SELECT = {"class": "form-select form-select-sm"}
NUMBER = {"class": "form-control form-control-sm", "step": "any"}
DAY = {"class": "form-control form-control-sm", "type": "date"}


@dataclass(frozen=True, slots=True)
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool


@dataclass(frozen=True, slots=True)
class FacetMenu:
    parameter: str
    label: str
    options: list[FacetOption]


@dataclass(frozen=True, slots=True)
class Chip:
    """One active filter value, with the query string that removes just it."""

    label: str
    value: str
    remove_query: str


class AgentFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, data: QueryDict, *, index: FleetIndex, hidden: frozenset[str] = frozenset()) -> None:
        super().__init__(data)
        self.hidden = hidden  # fields this reader may not see, so may not search or filter by either
        self.index = index
        self.context = index.context
        # parameter -> (field, declaration) for every filter this reader may use
        self.declared: dict[str, tuple[Field, Any]] = {}
        self.withheld: list[str] = []  # parameters of hidden fields that the query used
        for field, declared in index.registry.filters:
            names = (declared.low, declared.high) if isinstance(declared, Range) else (declared.parameter,)
            if field.name in hidden:
                self.withheld += [name for name in names if name in data]
                continue
            for name in names:
                self.declared[name] = (field, declared)
            self._add_fields(field, declared)
        self.fields[FINDING_FILTER] = forms.MultipleChoiceField(
            required=False, label="Finding", choices=[(rule_id, rule_id) for rule_id in index.findings]
        )
        self.is_valid()  # fills cleaned_data with every valid field; invalid ones are reported by ignored()
        self._masks = self._active_masks()

    def _add_fields(self, field: Field, declared: Any) -> None:
        if isinstance(declared, Facet):
            values = self.index.facets[declared.parameter]
            choices = [(value, value) for value in sorted(v for v in values if v is not None)]
            if None in values:
                choices.append((NOT_SET, NOT_SET_LABEL))
            self.fields[declared.parameter] = forms.MultipleChoiceField(
                required=False, label=declared.label, choices=choices
            )
        elif isinstance(declared, YesNo | Presence):
            choices = BOOLEAN_CHOICES if isinstance(declared, YesNo) else PRESENCE_CHOICES
            self.fields[declared.parameter] = forms.ChoiceField(
                required=False, label=declared.label, choices=choices, widget=forms.Select(attrs=SELECT)
            )
        elif isinstance(declared, Range) and isinstance(field.kind, Moment):
            day = forms.DateInput(attrs=DAY, format="%Y-%m-%d")
            self.fields[declared.low] = forms.DateField(
                required=False, label=f"{declared.label} on or after", widget=day
            )
            self.fields[declared.high] = forms.DateField(
                required=False, label=f"{declared.label} on or before", widget=day
            )
        elif isinstance(declared, Range):
            kind = forms.IntegerField if isinstance(field.kind, Integer) else forms.FloatField
            number = forms.NumberInput(attrs=NUMBER)
            self.fields[declared.low] = kind(required=False, label=f"{declared.label} from", widget=number)
            self.fields[declared.high] = kind(required=False, label=f"{declared.label} to", widget=number)

    # --- what is active ---------------------------------------------------------------------

    def _active_masks(self) -> dict[str, int]:
        """Filter group (a parameter, or a range's pair) -> the agents it accepts."""
        data, index, masks = self.cleaned_data, self.index, {}
        if data.get("q"):
            query = data["q"]
            digits = re.sub(r"\D", "", query) if PHONE_LIKE.fullmatch(query) else ""
            masks["q"] = index.matching_text(query.casefold(), digits, self.hidden)
        if data.get(FINDING_FILTER):
            mask = 0
            for rule_id in data[FINDING_FILTER]:
                mask |= index.findings[rule_id]
            masks[FINDING_FILTER] = mask
        for parameter, (field, declared) in self.declared.items():
            if isinstance(declared, Facet) and data.get(parameter):
                values = index.facets[parameter]
                mask = 0
                for value in data[parameter]:
                    mask |= values.get(None if value == NOT_SET else value, 0)
                masks[parameter] = mask
            elif isinstance(declared, YesNo) and data.get(parameter):
                flags = index.booleans[parameter]
                choice = data[parameter]
                masks[parameter] = (
                    index.everyone & ~(flags[True] | flags[False]) if choice == "unset" else flags[choice == "yes"]
                )
            elif isinstance(declared, Presence) and data.get(parameter):
                present = index.present[parameter]
                masks[parameter] = present if data[parameter] == "set" else index.everyone & ~present
            elif isinstance(declared, Range) and parameter == declared.low:
                bounds = [data.get(declared.low), data.get(declared.high)]
                if bounds == [None, None]:
                    continue
                if isinstance(field.kind, Moment):
                    bounds = list(_day_bounds(*bounds))
                masks[f"{declared.low}:{declared.high}"] = index.within((declared.low, declared.high), *bounds)
        return masks

    @property
    def mask(self) -> int:
        """The agents every active filter accepts."""
        mask = self.index.everyone
        for accepted in self._masks.values():
            mask &= accepted
        return mask

    @property
    def is_filtered(self) -> bool:
        return bool(self._masks)

    def ignored(self) -> list[str]:
        """One sentence per filter that could not be applied and was left out."""
        messages = [
            f"{name!r} filters by a field your role does not show: that filter was ignored." for name in self.withheld
        ]
        for name, errors in self.errors.items():
            label = self.fields[name].label
            raw = ", ".join(repr(value[:40]) for value in self.data.getlist(name)[:5])
            declared = self.declared.get(name, (None, None))[1]
            if isinstance(declared, Facet):
                messages.append(f"No agent has the {label.lower()} {raw}: that filter was ignored.")
            elif name == FINDING_FILTER:
                messages.append(f"There is no finding {raw} (or it is switched off): that filter was ignored.")
            elif name == "q":
                messages.append(f"{label}: {' '.join(errors)} The search was ignored.")
            else:
                messages.append(f"{label}: {raw} is not usable, {_hint(self.fields[name])}: that filter was ignored.")
        return messages

    # --- what the page shows ----------------------------------------------------------------

    def value_label(self, parameter: str, value: str) -> str:
        if value == NOT_SET:
            return NOT_SET_LABEL
        field, _ = self.declared[parameter]
        return field.kind.facet_label(value, self.context)

    def facet_menus(self) -> list[FacetMenu]:
        """One menu per facet; each count is under all the other active filters."""
        menus = []
        for parameter, (_, declared) in self.declared.items():
            if not isinstance(declared, Facet):
                continue
            others = self.index.everyone
            for name, accepted in self._masks.items():
                if name != parameter:
                    others &= accepted
            chosen = set(self.cleaned_data.get(parameter) or ())
            values = self.index.facets[parameter]
            options = [
                FacetOption(
                    value,
                    self.value_label(parameter, value),
                    (values.get(None if value == NOT_SET else value, 0) & others).bit_count(),
                    value in chosen,
                )
                for value, _ in self.fields[parameter].choices
            ]
            menus.append(FacetMenu(parameter, declared.label, options))
        return menus

    def more_fields(self) -> list[forms.BoundField]:
        """The yes/no, has/has not and range fields, for the "More filters" panel."""
        order = (YesNo, Presence, Range)
        names = [
            name for wanted in order for name, (_, declared) in self.declared.items() if isinstance(declared, wanted)
        ]
        return [self[name] for name in names]

    def more_active(self) -> bool:
        return any(field.name in self.data for field in self.more_fields())

    def chips(self) -> list[Chip]:
        chips = []
        multiple = {FINDING_FILTER} | {p for p, (_, d) in self.declared.items() if isinstance(d, Facet)}
        for name in self.data:
            if name not in self.fields or name not in self.cleaned_data or not self.cleaned_data[name]:
                continue
            values = self.cleaned_data[name] if name in multiple else [self.data.get(name)]
            for value in values:
                remaining = self.data.copy()
                remaining.setlist(name, [v for v in remaining.getlist(name) if v != value] if name in multiple else [])
                remaining.pop("page", None)
                label = "search" if name == "q" else self.fields[name].label.lower()
                shown = (
                    self.value_label(name, value)
                    if name in multiple and name != FINDING_FILTER
                    else _choice_label(self.fields[name], value)
                )
                chips.append(Chip(label, shown, remaining.urlencode()))
        return chips


def _hint(field: forms.Field) -> str:
    if isinstance(field, forms.ChoiceField):
        return "choose " + " or ".join(repr(value) for value, _ in field.choices if value)
    if isinstance(field, forms.DateField):
        return "give a date as YYYY-MM-DD"
    if isinstance(field, forms.FloatField):  # checked first: Django's FloatField is an IntegerField
        return "give a number"
    return "give a whole number"


def _choice_label(field: forms.Field, value: str) -> str:
    return dict(getattr(field, "choices", ())).get(value, value)


def _day_bounds(after: date | None, before: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole UTC days: "on or after" from the day's start, "on or before" to the day's end."""
    low = datetime.combine(after, time.min, UTC) if after else None
    high = datetime.combine(before, time.max, UTC) if before else None
    return low, high
