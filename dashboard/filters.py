"""Filtering the agent list: one Django form whose cleaned data becomes sets of agents.

The data is a snapshot, not a QuerySet: each active filter selects a bitmask of agents from the
snapshot's index (`dashboard.agents.index`), filters combine with AND across fields and OR
within one, and each facet value is counted under all the *other* active filters. Choices come
from the snapshot itself, so values this dashboard has never seen can be filtered on too. A
value that cannot apply is ignored with a message; the other filters still apply.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.conf.locale import LANG_INFO
from django.http import QueryDict

from dashboard.agents.index import FleetIndex
from dashboard.agents.snapshot import Snapshot
from dashboard.presentation import voice_label

# The choice that matches agents where the field is not set.
NOT_SET = "~none"
NOT_SET_LABEL = "— not set"

# query parameter -> (index field, label). Multi-select, OR within a field.
FACET_FILTERS = {
    "type": ("type", "Type"),
    "model": ("model", "Model"),
    "language": ("language", "Language"),
    "languages": ("language_set", "Language set"),
    "stt_model": ("stt_model", "STT model"),
    "voice": ("voice_id", "Voice"),
    "accent": ("accent", "Accent"),
    "noise": ("background_noise_preset", "Background noise"),
}
# query parameter -> (index field, label). yes / no / any.
BOOLEAN_FILTERS = {
    "interruptible": ("interruptible", "Interruptible"),
    "manual_mode": ("manual_mode", "Manual mode"),
    "recording": ("recording_enabled", "Recording"),
    "knowledge_base": ("use_org_knowledgebase", "Knowledge base"),
}
# query parameter -> label. has / has not, for optional settings (the index's PRESENCE keys).
PRESENCE_FILTERS = {
    "failover": "Failover destination",
    "handoff": "Handoff number",
    "webhook": "Webhook URL",
    "custom_llm": "Custom LLM",
    "flow": "Flow",
    "first_message": "First message",
    "phone": "Phone number",
}
# (low parameter, high parameter) -> (index field, label)
RANGE_FILTERS = {
    ("speed_min", "speed_max"): ("speed", "Speed"),
    ("tts_min", "tts_max"): ("tts_speed_pct", "TTS speed %"),
    ("created_after", "created_before"): ("created_at", "Created"),
    ("updated_after", "updated_before"): ("updated_at", "Updated"),
}
# Agents a configuration finding flags (rule ids from dashboard.findings), any of several.
FINDING_FILTER = "finding"
MULTI_FILTERS = {*FACET_FILTERS, FINDING_FILTER}
BOOLEAN_CHOICES = [("", "any"), ("yes", "yes"), ("no", "no"), ("unset", "not set")]
PRESENCE_CHOICES = [("", "any"), ("set", "has"), ("unset", "has not")]
PHONE_LIKE = re.compile(r"[\d\s()+.\-]*\d[\d\s()+.\-]*")


def language_label(code: str) -> str:
    name = LANG_INFO.get(code.lower(), {}).get("name")
    return f"{name} ({code})" if name else code


def value_label(parameter: str, value: str, voice_names: Mapping[str, str]) -> str:
    if value == NOT_SET:
        return NOT_SET_LABEL
    if parameter == "language":
        return language_label(value)
    return voice_label(value, voice_names) if parameter == "voice" else value


@dataclass(frozen=True, slots=True)
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool


@dataclass(frozen=True, slots=True)
class Chip:
    """One active filter value, with the query string that removes just it."""

    label: str
    value: str
    remove_query: str


class AgentFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, data: QueryDict, *, snapshot: Snapshot, hidden: frozenset[str] = frozenset()) -> None:
        super().__init__(data)
        self.hidden = hidden  # fields this reader may not see, so may not search in either
        self.index: FleetIndex = snapshot.index
        for parameter, (field, label) in FACET_FILTERS.items():
            values = self.index.facets[field]
            choices = [(value, value) for value in sorted(v for v in values if v is not None)]
            if None in values:
                choices.append((NOT_SET, NOT_SET_LABEL))
            self.fields[parameter] = forms.MultipleChoiceField(required=False, label=label, choices=choices)
        self.fields[FINDING_FILTER] = forms.MultipleChoiceField(
            required=False, label="Finding", choices=[(rule_id, rule_id) for rule_id in self.index.findings]
        )
        select = forms.Select(attrs={"class": "form-select form-select-sm"})
        for parameter, (_, label) in BOOLEAN_FILTERS.items():
            self.fields[parameter] = forms.ChoiceField(
                required=False, label=label, choices=BOOLEAN_CHOICES, widget=select
            )
        for parameter, label in PRESENCE_FILTERS.items():
            self.fields[parameter] = forms.ChoiceField(
                required=False, label=label, choices=PRESENCE_CHOICES, widget=select
            )
        number = forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"})
        day = forms.DateInput(attrs={"class": "form-control form-control-sm", "type": "date"}, format="%Y-%m-%d")
        for (low, high), (field, label) in RANGE_FILTERS.items():
            if field in ("speed", "tts_speed_pct"):
                kind = forms.FloatField if field == "speed" else forms.IntegerField
                self.fields[low] = kind(required=False, label=f"{label} from", widget=number)
                self.fields[high] = kind(required=False, label=f"{label} to", widget=number)
            else:
                self.fields[low] = forms.DateField(required=False, label=f"{label} on or after", widget=day)
                self.fields[high] = forms.DateField(required=False, label=f"{label} on or before", widget=day)
        self.is_valid()  # fills cleaned_data with every valid field; invalid ones are reported by ignored()
        self._masks = self._active_masks()

    # --- what is active ---------------------------------------------------------------------

    def _active_masks(self) -> dict[str, int]:
        """Filter group (a facet parameter, a range, or one of the others) -> the agents it accepts."""
        data, index, masks = self.cleaned_data, self.index, {}
        if data.get("q"):
            query = data["q"]
            digits = re.sub(r"\D", "", query) if PHONE_LIKE.fullmatch(query) else ""
            masks["q"] = index.matching_text(query.casefold(), digits, self.hidden)
        for parameter, (field, _) in FACET_FILTERS.items():
            if data.get(parameter):
                values = index.facets[field]
                mask = 0
                for value in data[parameter]:
                    mask |= values.get(None if value == NOT_SET else value, 0)
                masks[parameter] = mask
        if data.get(FINDING_FILTER):
            mask = 0
            for rule_id in data[FINDING_FILTER]:
                mask |= index.findings[rule_id]
            masks[FINDING_FILTER] = mask
        for parameter, (field, _) in BOOLEAN_FILTERS.items():
            if data.get(parameter):
                flags = index.booleans[field]
                choice = data[parameter]
                masks[parameter] = (
                    index.everyone & ~(flags[True] | flags[False]) if choice == "unset" else flags[choice == "yes"]
                )
        for parameter in PRESENCE_FILTERS:
            if data.get(parameter):
                present = index.present[parameter]
                masks[parameter] = present if data[parameter] == "set" else index.everyone & ~present
        for (low, high), (field, _) in RANGE_FILTERS.items():
            bounds = [data.get(low), data.get(high)]
            if bounds == [None, None]:
                continue
            if field in ("created_at", "updated_at"):
                bounds = _day_bounds(*bounds)
            masks[f"{low}:{high}"] = index.within(field, *bounds)
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
        messages = []
        for name, errors in self.errors.items():
            label = self.fields[name].label
            raw = ", ".join(repr(value[:40]) for value in self.data.getlist(name))
            if name in FACET_FILTERS:
                messages.append(f"No agent has the {label.lower()} {raw}: that filter was ignored.")
            elif name == FINDING_FILTER:
                messages.append(f"There is no finding {raw} (or it is switched off): that filter was ignored.")
            elif name == "q":
                messages.append(f"{label}: {' '.join(errors)} The search was ignored.")
            else:
                messages.append(f"{label}: {raw} is not usable, {_hint(self.fields[name])}: that filter was ignored.")
        return messages

    # --- what the page shows ----------------------------------------------------------------

    def facet_menus(self) -> list[tuple[str, str, list[FacetOption]]]:
        """(parameter, label, options) per facet; each count is under all the other active filters."""
        menus = []
        for parameter, (field, label) in FACET_FILTERS.items():
            others = self.index.everyone
            for name, accepted in self._masks.items():
                if name != parameter:
                    others &= accepted
            chosen = set(self.cleaned_data.get(parameter) or ())
            options = [
                FacetOption(
                    value,
                    value_label(parameter, value, self.index.voice_names),
                    (self.index.facets[field].get(None if value == NOT_SET else value, 0) & others).bit_count(),
                    value in chosen,
                )
                for value, _ in self.fields[parameter].choices
            ]
            menus.append((parameter, label, options))
        return menus

    def more_fields(self) -> list[forms.BoundField]:
        """The yes/no, has/has not and range fields, for the "More filters" panel."""
        names = [*BOOLEAN_FILTERS, *PRESENCE_FILTERS, *(name for pair in RANGE_FILTERS for name in pair)]
        return [self[name] for name in names]

    def chips(self) -> list[Chip]:
        chips = []
        for name in self.data:
            if name not in self.fields or name not in self.cleaned_data or not self.cleaned_data[name]:
                continue
            values = self.cleaned_data[name] if name in MULTI_FILTERS else [self.data.get(name)]
            for value in values:
                remaining = self.data.copy()
                remaining.setlist(
                    name, [v for v in remaining.getlist(name) if v != value] if name in MULTI_FILTERS else []
                )
                remaining.pop("page", None)
                label = "search" if name == "q" else self.fields[name].label.lower()
                shown = (
                    value_label(name, value, self.index.voice_names)
                    if name in FACET_FILTERS
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
    high = datetime.combine(before, time.min, UTC) + timedelta(days=1, microseconds=-1) if before else None
    return low, high
