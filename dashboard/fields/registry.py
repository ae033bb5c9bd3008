"""The field registry: every field of an OpenCX phone agent, declared once.

A `Field` says what the field is called (upstream and here), where the agent's page shows it,
what kind of value it holds (`kinds.py`: how it is read, drawn, sorted, searched and exported),
which filters select by it, whether search looks in it, whether it is a list column and whether
it may be made sensitive. The record type, the parser, the list's columns, filters and search,
the detail page, compare, the change history's labels and the exports are all derived from it,
so adding a field is adding one entry here (and its test).

Fields OpenCX sends that are not declared are kept on each record (`extra`) and shown as they
were sent, in the "Other fields from OpenCX" group.
"""

from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

from django.utils.safestring import SafeString

from dashboard.opencx.payload import ParseProblem

from . import kinds, values
from .values import bulk_allocation, describe

AGENT_TYPES = ("inbound", "outbound")
MODELS = ("oppie-vox", "oppie-vox-turbo", "oppie-vox-2", "oppie-vox-livekit")
NOISE_PRESETS = ("office", "bar", "city-street")
STT_MODELS = (
    "deepgram/flux-general",
    "deepgram/nova-3",
    "deepgram/nova-3-medical",
    "cartesia/ink-whisper",
    "elevenlabs/scribe_v2_realtime",
    "xai/stt-1",
)
NO_EXTRA: MappingProxyType = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Group:
    """A card on the agent's page."""

    key: str
    title: str


IDENTITY = Group("identity", "Identity")
VOICE = Group("voice", "Voice & speech")
LANGUAGE = Group("language", "Language & speech-to-text")
BEHAVIOUR = Group("behaviour", "Model & behaviour")
HANDOFF = Group("handoff", "Handoff & failover")
DATA = Group("data", "Data collection & recording")
OTHER = Group("other", "Other fields from OpenCX")
GROUPS = (IDENTITY, VOICE, LANGUAGE, BEHAVIOUR, HANDOFF, DATA)


# --- filter declarations: the query parameters that select agents by a field ----------------


@dataclass(frozen=True, slots=True)
class Facet:
    """Any of several values (`?model=a&model=b`), each counted in the menu; `~none`: not set.

    On a list field each value counts on its own ("speaks es": the agents whose list holds it),
    and `<parameter>_match=all` asks for agents having every value ticked instead of any."""

    parameter: str
    label: str

    @property
    def match_parameter(self) -> str:
        return f"{self.parameter}_match"


@dataclass(frozen=True, slots=True)
class YesNo:
    """`yes`, `no`, or `unset` (the upstream did not say)."""

    parameter: str
    label: str


@dataclass(frozen=True, slots=True)
class Presence:
    """`set` or `unset`: has the setting or has not (an empty text or list counts as not set).

    A kind with placeholders (a nil UUID) adds `placeholder` and `not-working` (placeholder or unset)."""

    parameter: str
    label: str


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds: numbers, or whole UTC days (`YYYY-MM-DD`) for moments."""

    low: str
    high: str
    label: str


Filter = Facet | YesNo | Presence | Range


# --- fields and the columns drawn from them ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Derived:
    """A further list column drawn from a field's value (e.g. the failover's state)."""

    key: str
    label: str
    derive: Callable[[Any], Any]
    kind: kinds.Kind
    default_column: bool = False
    steps_aside: str = ""  # see Field.steps_aside


# The field of the organization an agent was read from (set by the parser, not read from OpenCX).
ORG_FIELD = "org"

# Where a list column steps aside on narrower screens (static/switchboard/switchboard.css), so the
# default columns fit a laptop and a tablet without sideways scrolling; "" keeps it at every width.
STEPS_ASIDE = ("", "md", "lg", "xl")  # below 768, 992 and 1200 px: Bootstrap's breakpoints


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the record's attribute, the column key, the name SENSITIVE_FIELDS uses
    label: str
    group: Group
    kind: kinds.Kind
    key: str = ""  # the upstream JSON key, when it differs from `name`
    filters: tuple[Filter, ...] = ()
    search: bool = False  # the search box looks in it
    column: bool = True  # offered as a list column
    default_column: bool = False
    sortable: bool = True
    may_be_sensitive: bool = True  # id and name identify the agent and are always shown
    derived: tuple[Derived, ...] = ()
    # What the column shows, when not the value itself (a nameless agent's readable name).
    column_value: Callable[[Any], Any] | None = None
    # Below which Bootstrap breakpoint its column steps aside (one of STEPS_ASIDE); below 576 px
    # every chosen column shows again, in each agent's card.
    steps_aside: str = ""
    # Identifies one agent (its name, id, number, dates): it differs between any two agents,
    # so compare does not mark it as a difference.
    identity: bool = False
    # Read from OpenCX's record; False for what the dashboard itself knows of the agent (the
    # organization it was read from), which the parser sets and history never records.
    from_upstream: bool = True
    # Compared between two organizations on the drift page: configuration that should be copied
    # across. False for what each organization gives its own agent (ids, its number, its dates,
    # ids of the organization's own actions and transfer destinations). The field agents are
    # paired by is never compared; the name is when they are paired by another field (a rename
    # not copied across is drift).
    drift: bool = True
    # The drift page may pair agents of two organizations by it (`?match=`): text that names one
    # agent, the same one in both organizations when they were copied.
    matchable: bool = False

    @property
    def upstream_key(self) -> str:
        return self.key or self.name

    def read(self, agent: Any) -> Any:
        return getattr(agent, self.name)


@dataclass(frozen=True, slots=True)
class Column:
    """A list column: a field's value, or something derived from it."""

    key: str
    label: str
    field: Field  # where the value comes from (and whose sensitivity hides it)
    kind: kinds.Kind
    value: Callable[[Any], Any]  # agent -> the plain value
    sortable: bool = True
    default: bool = False
    steps_aside: str = ""

    @property
    def css(self) -> str:
        return self.kind.css

    def sort_key(self, agent: Any) -> Any:
        return self.kind.sort_key(self.value(agent))

    def cell(self, agent: Any, context: kinds.ValueContext = kinds.PLAIN) -> SafeString:
        return self.kind.show(self.value(agent), context)


def _column(field: Field) -> Column:
    read = field.column_value or (lambda agent, name=field.name: getattr(agent, name))
    return Column(
        field.name, field.label, field, field.kind, read, field.sortable, field.default_column, field.steps_aside
    )


def _derived_column(field: Field, derived: Derived) -> Column:
    def read(agent: Any, name: str = field.name, derive: Callable[[Any], Any] = derived.derive) -> Any:
        return derive(getattr(agent, name))

    return Column(
        derived.key, derived.label, field, derived.kind, read, True, derived.default_column, derived.steps_aside
    )


# --- the record -------------------------------------------------------------------------------


class AgentRecord:
    """Behaviour every agent record has, whatever fields its registry declares."""

    __slots__ = ()

    @property
    def display_name(self) -> str:
        name = self.name  # type: ignore[attr-defined]
        return name if name and name.strip() else f"Unnamed agent {self.id}"  # type: ignore[attr-defined]

    @property
    def failover_state(self) -> str:
        return kinds.failover_state(self.failover_transfer_destination_id)  # type: ignore[attr-defined]


def _record_type(fields: Sequence[Field]) -> type:
    """An immutable record with one attribute per field and `extra` for the undeclared ones.

    A named tuple: typed, immutable and built in one allocation from a list, which matters
    at 50,000 agents of 30 fields.
    """
    names = [field.name for field in fields]
    base = namedtuple("AgentFields", [*names, "extra"], defaults=[f.kind.default for f in fields[1:]] + [NO_EXTRA])
    return type("PhoneAgent", (base, AgentRecord), {"__slots__": (), "__doc__": "One OpenCX phone agent."})


class FieldRegistry:
    """The declared fields and everything derived from them."""

    def __init__(self, fields: Sequence[Field]) -> None:
        if not fields or fields[0].name != "id":
            raise ValueError("the first field must be the agent's id")
        self.fields = tuple(fields)
        for field in self.fields:
            for where in (field.steps_aside, *(derived.steps_aside for derived in field.derived)):
                if where not in STEPS_ASIDE:
                    raise ValueError(f"{field.name}: steps_aside must be one of {STEPS_ASIDE}, not {where!r}")
        self.by_name = {field.name: field for field in self.fields}
        self.by_key = {field.upstream_key: field for field in self.fields}
        self.record_type = _record_type(self.fields)
        position = {name: index for index, name in enumerate(self.record_type._fields)}
        # (upstream key, position in the record, parser, the type a value may already have)
        self._plan = [
            (field.upstream_key, position[field.name], field.kind.parse, field.kind.ready)
            for field in self.fields[1:]
            if field.from_upstream
        ]
        self._known_keys = frozenset(field.upstream_key for field in self.fields if field.from_upstream)
        self._defaults = [field.kind.default for field in self.fields[1:]]
        self._org_position = position.get(ORG_FIELD)

    # --- derived views ------------------------------------------------------------------------

    @cached_property
    def columns(self) -> dict[str, Column]:
        """Every list column, the title column first; a field's derived columns before its own."""
        columns: dict[str, Column] = {}
        title = self.by_name[self.title_column]
        for field in (title, *(field for field in self.fields if field is not title)):
            for derived in field.derived:
                columns[derived.key] = _derived_column(field, derived)
            if field.column:
                columns[field.name] = _column(field)
        return columns

    @cached_property
    def default_columns(self) -> tuple[str, ...]:
        return tuple(key for key, column in self.columns.items() if column.default)

    # The column every list keeps: it names the agent and links to its page.
    title_column = "name"

    @cached_property
    def filters(self) -> list[tuple[Field, Filter]]:
        return [(field, declared) for field in self.fields for declared in field.filters]

    @cached_property
    def searched(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.search)

    def field(self, name: str) -> Field | None:
        """The field with this name (or upstream key)."""
        return self.by_name.get(name) or self.by_key.get(name)

    def canonical(self, name: str) -> str:
        """A field's name from its name or upstream key; an undeclared key stays as it is."""
        field = self.field(name)
        return field.name if field is not None else name

    def upstream_key(self, name: str) -> str:
        field = self.field(name)
        return field.upstream_key if field is not None else name

    def label(self, name: str) -> str:
        """What the pages call a field (name or upstream key); an undeclared one by its key."""
        field = self.field(name)
        return field.label if field is not None else name

    def kind_of(self, name: str) -> kinds.Kind:
        field = self.field(name)
        return field.kind if field is not None else UNDECLARED

    def groups(self) -> list[tuple[Group, list[Field]]]:
        """The agent page's cards with their fields, in declaration order."""
        return [(group, [field for field in self.fields if field.group == group]) for group in GROUPS]

    # --- parsing ------------------------------------------------------------------------------

    def parse(self, payload: Iterable[Any], org: str = "") -> tuple[list[Any], list[ParseProblem]]:
        """Every usable agent of a `GET /phone` list of organization `org`, and what could not be read."""
        with bulk_allocation():
            return self._parse(payload, org)

    def _parse(self, payload: Iterable[Any], org: str) -> tuple[list[Any], list[ParseProblem]]:
        problems: list[ParseProblem] = []
        agents: list[Any] = []
        first_index: dict[str, int] = {}
        parse_record = self.parse_record
        for index, record in enumerate(payload):
            agent = parse_record(record, index, problems, org)
            if agent is None:
                continue
            if agent.id in first_index:
                problems.append(
                    ParseProblem(
                        index,
                        agent.id,
                        "id",
                        f"the same id as record #{first_index[agent.id] + 1}; both are listed and "
                        "the detail page shows the first",
                    )
                )
            else:
                first_index[agent.id] = index
            agents.append(agent)
        return agents, problems

    def parse_record(self, record: Any, index: int, problems: list[ParseProblem], org: str = "") -> Any:
        """One agent from one list entry, appending what was wrong with it to `problems`."""
        if not isinstance(record, dict):
            problems.append(ParseProblem(index, None, None, f"expected an object, got {describe(record)}; left out"))
            return None
        agent_id = record.get("id")
        if type(agent_id) is not str or not agent_id.strip():
            shown = "missing" if agent_id is None else f"{describe(agent_id)}, not usable text"
            problems.append(ParseProblem(index, None, "id", f"id is {shown}; the agent is left out"))
            return None
        values_ = [agent_id, *self._defaults, NO_EXTRA]
        if self._org_position is not None:
            values_[self._org_position] = org or None
        get = record.get
        for key, position, parse, ready in self._plan:
            raw = get(key)
            if raw is None:
                continue  # the field's default: None, or () for the lists that cannot be null
            # Most values already have their final type: skip the parser's call (a 50,000-agent
            # fleet has 1.5 million fields).
            if raw.__class__ is ready:
                values_[position] = raw
                continue
            try:
                values_[position] = parse(raw)
            except values.FieldError as error:
                problems.append(ParseProblem(index, agent_id, key, str(error)))
                if error.value is not None:
                    values_[position] = error.value
        if not record.keys() <= self._known_keys:
            # Fields OpenCX added after this dashboard was written: kept as sent.
            values_[-1] = MappingProxyType({key: record[key] for key in record if key not in self._known_keys})
        return self.record_type._make(values_)


UNDECLARED = kinds.AnyJSON()


def _display_name(agent: Any) -> str:
    return agent.display_name


# The fields of `GET /phone` in OpenCX's newest published schema (see docs/opencx/), in the
# order the list's column chooser and each card of the agent's page show them.
OPENCX_FIELDS = FieldRegistry(
    [
        Field(
            "id",
            "Id",
            IDENTITY,
            kinds.Text(mono=True),
            search=True,
            may_be_sensitive=False,
            identity=True,
            drift=False,
            matchable=True,
        ),
        Field(
            "name",
            "Name",
            IDENTITY,
            kinds.Text(),
            search=True,
            default_column=True,
            may_be_sensitive=False,
            column_value=_display_name,
            identity=True,
            matchable=True,
        ),
        Field("org_id", "Organization id", IDENTITY, kinds.Text(mono=True, shared=True), search=True, drift=False),
        # Not OpenCX's: which of the dashboard's organizations the agent was read from.
        Field(
            ORG_FIELD,
            "Organization",
            IDENTITY,
            kinds.Organization(),
            filters=(Facet(ORG_FIELD, "Organization"),),
            search=True,
            may_be_sensitive=False,
            from_upstream=False,
            drift=False,
        ),
        Field(
            "phone_number",
            "Phone number",
            IDENTITY,
            kinds.Phone(),
            filters=(Presence("phone", "Phone number"),),
            search=True,
            default_column=True,
            steps_aside="md",
            identity=True,
            drift=False,
            matchable=True,
        ),
        Field("type", "Type", IDENTITY, kinds.Enum(AGENT_TYPES), filters=(Facet("type", "Type"),), default_column=True),
        Field(
            "language",
            "Languages",
            LANGUAGE,
            kinds.Languages(),
            filters=(Facet("language", "Language"),),
            default_column=True,
            steps_aside="lg",
        ),
        Field("accent", "Accent", VOICE, kinds.Text(shared=True), filters=(Facet("accent", "Accent"),), search=True),
        Field("model", "Model", BEHAVIOUR, kinds.Enum(MODELS), filters=(Facet("model", "Model"),), default_column=True),
        Field(
            "voice_id",
            "Voice",
            VOICE,
            kinds.Voice(),
            filters=(Facet("voice", "Voice"),),
            search=True,
            default_column=True,
            steps_aside="xl",
        ),
        Field(
            "stt_model",
            "STT model",
            LANGUAGE,
            kinds.Enum(STT_MODELS),
            filters=(Facet("stt_model", "STT model"),),
            default_column=True,
            steps_aside="xl",
        ),
        Field(
            "stt_keyterms",
            "Key terms",
            LANGUAGE,
            kinds.TextList(nullable=False),
            filters=(Facet("keyterm", "Key term"),),
            search=True,
        ),
        Field(
            "background_noise_preset",
            "Background noise",
            VOICE,
            kinds.Enum(NOISE_PRESETS),
            filters=(Facet("noise", "Background noise"),),
        ),
        Field("speed", "Speed", VOICE, kinds.Number(), filters=(Range("speed_min", "speed_max", "Speed"),)),
        Field(
            "tts_speed_pct",
            "TTS speed",
            VOICE,
            kinds.Integer(unit="%"),
            filters=(Range("tts_min", "tts_max", "TTS speed %"),),
        ),
        Field(
            "interruptible", "Interruptible", VOICE, kinds.Flag(), filters=(YesNo("interruptible", "Interruptible"),)
        ),
        Field("manual_mode", "Manual mode", BEHAVIOUR, kinds.Flag(), filters=(YesNo("manual_mode", "Manual mode"),)),
        Field(
            "recording_enabled",
            "Recording",
            DATA,
            kinds.Flag(),
            filters=(YesNo("recording", "Recording"),),
            default_column=True,
            steps_aside="md",
        ),
        Field(
            "use_org_knowledgebase",
            "Knowledge base",
            BEHAVIOUR,
            kinds.Flag(),
            filters=(YesNo("knowledge_base", "Knowledge base"),),
        ),
        Field(
            "first_message",
            "First message",
            BEHAVIOUR,
            kinds.Text(shared=True),
            filters=(Presence("first_message", "First message"),),
            search=True,
        ),
        Field("instructions", "Instructions", BEHAVIOUR, kinds.TextList(numbered=True), search=True),
        Field("flow", "Flow", BEHAVIOUR, kinds.Flow(), filters=(Presence("flow", "Flow"),), search=True),
        Field(
            "action_ids",
            "Actions",
            BEHAVIOUR,
            kinds.ActionIds(),
            key="actionIds",
            filters=(Facet("action", "Action"),),
            search=True,
            drift=False,
        ),
        Field(
            "custom_llm",
            "Custom LLM",
            BEHAVIOUR,
            kinds.Text(mono=True, shared=True),
            filters=(Presence("custom_llm", "Custom LLM"),),
            search=True,
        ),
        Field(
            "handoff_phone_number",
            "Handoff number",
            HANDOFF,
            kinds.Phone(),
            filters=(Presence("handoff", "Handoff number"),),
            search=True,
        ),
        Field(
            "failover_transfer_destination_id",
            "Failover destination",
            HANDOFF,
            kinds.FailoverDestination(),
            filters=(Presence("failover", "Failover destination"),),
            search=True,
            derived=(
                Derived(
                    "failover",
                    "Failover",
                    kinds.failover_state,
                    kinds.FailoverState(),
                    default_column=True,
                    steps_aside="md",
                ),
            ),
            drift=False,
        ),
        Field(
            "data_collection_fields",
            "Data fields",
            DATA,
            kinds.TextList(),
            filters=(Facet("data_field", "Data field"),),
            search=True,
        ),
        Field(
            "data_collection_webhook_url",
            "Webhook URL",
            DATA,
            kinds.Text(mono=True, shared=True),
            filters=(Presence("webhook", "Webhook URL"),),
            search=True,
        ),
        Field(
            "provider_external_id",
            "Provider id",
            IDENTITY,
            kinds.Text(mono=True),
            search=True,
            identity=True,
            drift=False,
            matchable=True,
        ),
        Field(
            "created_at",
            "Created",
            IDENTITY,
            kinds.Moment(),
            filters=(Range("created_after", "created_before", "Created"),),
            identity=True,
            drift=False,
        ),
        Field(
            "updated_at",
            "Updated",
            IDENTITY,
            kinds.Moment(),
            filters=(Range("updated_after", "updated_before", "Updated"),),
            default_column=True,
            steps_aside="xl",
            identity=True,
            drift=False,
        ),
    ]
)

_active = OPENCX_FIELDS


def active_registry() -> FieldRegistry:
    """The registry in force: OpenCX's fields (tests may put another in place)."""
    return _active


@contextmanager
def override_registry(replacement: FieldRegistry) -> Iterator[FieldRegistry]:
    """Puts another registry in force for a while (tests of the registry's consumers)."""
    global _active
    previous, _active = _active, replacement
    try:
        yield replacement
    finally:
        _active = previous
