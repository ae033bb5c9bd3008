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
from dashboard.querystrings import without_empty

from .index import FleetIndex

# The choice that matches agents where the field is not set.
NOT_SET = "~none"
NOT_SET_LABEL = "— not set"
# Agents a configuration finding flags (rule ids from dashboard.agents.findings), any of several.
FINDING_FILTER = "finding"
BOOLEAN_CHOICES = [("", "any"), ("yes", "yes"), ("no", "no"), ("unset", "not set")]
PRESENCE_CHOICES = [("", "any"), ("set", "has"), ("unset", "has not")]
# For values with placeholders (a failover set to the nil or max UUID): told apart, and together
# with "not set" as "no working one", which is what the findings flag.
PLACEHOLDER_CHOICES = [
    ("", "any"),
    ("set", "set"),
    ("placeholder", "placeholder (nil or max UUID)"),
    ("unset", "not set"),
    ("not-working", "no working one (not set or placeholder)"),
]
MATCH_CHOICES = [("any", "any of these"), ("all", "all of these")]
# The page carries only the ticked values of each facet menu; opening a menu fetches its most
# frequent values under the current filters from the facet endpoint, which sends at most this
# many (and its search box finds the others), so no menu weighs on the page however varied the fleet.
FETCHED_OPTIONS = 50
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
    values: int  # how many values the facet has in all
    # For a list field, the parameter saying whether agents need any or all of the values ticked.
    match_parameter: str | None = None
    match: str = "any"

    @property
    def more(self) -> int:
        return max(0, self.values - len(self.options))

    @property
    def ticked(self) -> int:
        """How many of its values are ticked (the page carries those)."""
        return sum(option.checked for option in self.options)

    @property
    def searchable(self) -> bool:
        """Whether the menu needs a search box: more values than it ever shows at once."""
        return self.values > FETCHED_OPTIONS


@dataclass(frozen=True, slots=True)
class Control:
    """One control of the "More filters" panel."""

    name: str
    label: str
    kind: str  # "select", "number" or "date"
    value: str
    options: list[tuple[str, str, bool]] | None = None  # (value, label, selected), for a select


@dataclass(frozen=True, slots=True)
class Chip:
    """One active filter value, with the query string that removes just it."""

    label: str
    value: str
    remove_query: str


class FacetValuesField(forms.MultipleChoiceField):
    """Any of a facet's values (`~none`: not set), checked against the index's rather than a list of
    choices, which a facet with thousands of values would rebuild for every request."""

    def __init__(self, values: dict[str | None, int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values = values

    def valid_value(self, value: str) -> bool:
        return (None if value == NOT_SET else value) in self.values


class AgentFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(
        self,
        data: QueryDict,
        *,
        index: FleetIndex,
        hidden: frozenset[str] = frozenset(),
        every_org: bool,
        select_by_hidden: bool = False,
    ) -> None:
        super().__init__(data)
        self.hidden = hidden  # fields this reader may not see, so may not search or filter by either
        # A share link's own query selects exactly the agents its author shared, hidden fields and
        # all; its visitor sees the selection, never the hidden values (their chips say "hidden").
        # And it never widens: a filter of it that no longer applies (no agent has that model any
        # more, a finding switched off) selects no agent, instead of being dropped.
        self.select_by_hidden = select_by_hidden
        self.redacted: set[str] = set()  # parameters whose values this reader may not see
        self.index = index
        self.context = index.context
        # parameter -> (field, declaration) for every filter this reader may use
        self.declared: dict[str, tuple[Field, Any]] = {}
        self.withheld: list[str] = []  # parameters of hidden fields that the query used
        for field, declared in index.registry.filters:
            if not field.from_upstream and not index.across:
                continue  # the organization: a filter across organizations only
            names = (declared.low, declared.high) if isinstance(declared, Range) else (declared.parameter,)
            if field.name in hidden and not select_by_hidden:
                self.withheld += [name for name in names if name in data]
                continue
            if field.name in hidden:
                self.redacted.update(names)
            for name in names:
                self.declared[name] = (field, declared)
            self._add_fields(field, declared)
        self.fields[FINDING_FILTER] = forms.MultipleChoiceField(
            required=False,
            label="Finding",
            choices=[(rule_id, rule_id) for rule_id in index.visible_findings(hidden, every_org=every_org)],
        )
        self.is_valid()  # fills cleaned_data with every valid field; invalid ones are reported by ignored()
        self._masks = self._active_masks()

    def _add_fields(self, field: Field, declared: Any) -> None:
        if isinstance(declared, Facet):
            self.fields[declared.parameter] = FacetValuesField(
                self.index.facets[declared.parameter], required=False, label=declared.label
            )
            if field.kind.many:
                self.declared[declared.match_parameter] = (field, declared)
                self.fields[declared.match_parameter] = forms.ChoiceField(
                    required=False, label=f"{declared.label}: agents with", choices=MATCH_CHOICES
                )
        elif isinstance(declared, YesNo | Presence):
            if isinstance(declared, YesNo):
                choices = BOOLEAN_CHOICES
            else:
                choices = PLACEHOLDER_CHOICES if field.kind.placeholders else PRESENCE_CHOICES
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
            masks["q"] = index.matching_text(
                query.casefold(), digits, frozenset() if self.select_by_hidden else self.hidden
            )
        if data.get(FINDING_FILTER):
            mask = 0
            for rule_id in data[FINDING_FILTER]:
                mask |= index.findings[rule_id]
            masks[FINDING_FILTER] = mask
        for parameter, (field, declared) in self.declared.items():
            if isinstance(declared, Facet) and parameter == declared.parameter and data.get(parameter):
                values = index.facets[parameter]
                every = data.get(declared.match_parameter) == "all"
                mask = index.everyone if every else 0
                for value in data[parameter]:
                    having = values.get(None if value == NOT_SET else value, 0)
                    mask = mask & having if every else mask | having
                masks[parameter] = mask
            elif isinstance(declared, YesNo) and data.get(parameter):
                flags = index.booleans[parameter]
                choice = data[parameter]
                masks[parameter] = (
                    index.everyone & ~(flags[True] | flags[False]) if choice == "unset" else flags[choice == "yes"]
                )
            elif isinstance(declared, Presence) and data.get(parameter):
                states = index.present[parameter]
                choice = data[parameter]
                masks[parameter] = (
                    states["unset"] | states["placeholder"] if choice == "not-working" else states[choice]
                )
            elif isinstance(declared, Range) and parameter == declared.low:
                bounds = [data.get(declared.low), data.get(declared.high)]
                if bounds == [None, None]:
                    continue
                if isinstance(field.kind, Moment):
                    bounds = list(_day_bounds(*bounds))
                masks[f"{declared.low}:{declared.high}"] = index.within((declared.low, declared.high), *bounds)
        if self.select_by_hidden:
            masks.update({name: 0 for name in self.errors})
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
            if isinstance(declared, Facet) and name == declared.parameter and self.select_by_hidden:
                messages.append(f"No agent has the {label.lower()} {raw} any more: this shared list shows none for it.")
            elif self.select_by_hidden:
                messages.append(f"{label}: {raw} no longer applies: this shared list shows no agent for it.")
            elif isinstance(declared, Facet) and name == declared.parameter:
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

    def facet_parameters(self) -> list[str]:
        return [
            parameter
            for parameter, (_, declared) in self.declared.items()
            if isinstance(declared, Facet) and parameter == declared.parameter and parameter not in self.redacted
        ]

    def facet_menu(self, parameter: str, *, search: str = "", limit: int = 0) -> FacetMenu:
        """A facet's menu: the ticked values, then the most frequent under all the other active
        filters (those matching `search`, if given), at most `limit` more; every count exact."""
        field, declared = self.declared[parameter]
        others = self.index.everyone
        for name, accepted in self._masks.items():
            if name != parameter:
                others &= accepted
        values = self.index.facets[parameter]
        chosen = list(dict.fromkeys(self.cleaned_data.get(parameter) or ()))
        options = [
            FacetOption(value, self.value_label(parameter, value), self._count(values, value, others), True)
            for value in chosen
        ]
        needle = search.casefold().strip()
        added = 0
        # The menus as the page first shows them (limit 0) list only the ticked values: counting
        # every value under the other filters (4,000 action ids; 50,000 agents across organizations)
        # waits until a menu opens.
        counted = self.index.facet_counts(parameter, others) if limit > 0 else []
        for count, raw in counted:
            if added >= limit:
                break
            value = NOT_SET if raw is None else raw
            if value in chosen:
                continue
            label = self.value_label(parameter, value)
            if needle and needle not in value.casefold() and needle not in label.casefold():
                continue
            options.append(FacetOption(value, label, count, False))
            added += 1
        many = field.kind.many
        return FacetMenu(
            parameter,
            declared.label,
            options,
            len(values),
            declared.match_parameter if many else None,
            (self.cleaned_data.get(declared.match_parameter) or "any") if many else "any",
        )

    @staticmethod
    def _count(values: dict[str | None, int], value: str, within: int) -> int:
        return (values.get(None if value == NOT_SET else value, 0) & within).bit_count()

    def facet_menus(self) -> list[FacetMenu]:
        """One menu per facet, as the page first shows them."""
        return [self.facet_menu(parameter) for parameter in self.facet_parameters()]

    def more_fields(self) -> list["Control"]:
        """The yes/no, has/has not and range fields, for the "More filters" panel.

        Drawn from these plain descriptions rather than by Django's widget templates, which cost
        the list page more than its hundred rows."""
        order = (YesNo, Presence, Range)
        names = [
            name for wanted in order for name, (_, declared) in self.declared.items() if isinstance(declared, wanted)
        ]
        return [self._control(name) for name in names]

    def _control(self, name: str) -> "Control":
        field = self.fields[name]
        raw = self.data.get(name, "")
        if isinstance(field, forms.ChoiceField):
            options = [(value, label, value == raw) for value, label in field.choices]
            return Control(name, field.label, "select", raw, options)
        kind = "date" if isinstance(field, forms.DateField) else "number"
        return Control(name, field.label, kind, raw[:40])

    def more_active(self) -> int:
        """How many of the "More filters" controls are set (an empty parameter is not set)."""
        return sum(bool(self.data.get(control.name)) for control in self.more_fields())

    def chips(self) -> list[Chip]:
        chips = []
        multiple = {FINDING_FILTER, *self.facet_parameters()}
        for name in self.data:
            if name not in self.fields or name not in self.cleaned_data or not self.cleaned_data[name]:
                continue
            values = self.cleaned_data[name] if name in multiple else [self.data.get(name)]
            for value in values:
                remaining = without_empty(self.data)
                remaining.setlist(name, [v for v in remaining.getlist(name) if v != value] if name in multiple else [])
                remaining.pop("page", None)
                label = "search" if name == "q" else self.fields[name].label.lower()
                if name in self.redacted:
                    chips.append(Chip(label, "hidden", remaining.urlencode()))
                    continue
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
