"""Hypothesis strategies for valid desired bodies of every resource, and for output schemas.

Every strategy here produces input the provider accepts (``validate_desired`` raises nothing), so
properties can state what must hold of every valid body.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st
from pulumi_twilio_intelligence.resources import TWILIO_OPERATOR_IDS

NAME = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=8)
TEXT = st.text(string.ascii_letters + string.digits + " .,-", min_size=1, max_size=30)
TTID = st.text("0123456789abcdefghjkmnpqrstvwxyz", min_size=25, max_size=25).map(lambda s: "0" + s)
OPERATOR_IDS = st.one_of(
    st.sampled_from(sorted(TWILIO_OPERATOR_IDS.values())),
    TTID.map(lambda s: f"intelligence_operator_{s}"),
)
URLS = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}.example.com/{path}",
    st.sampled_from(["http", "https"]),
    st.text(string.ascii_lowercase, min_size=1, max_size=8),
    st.text(string.ascii_lowercase + "/", max_size=12),
)

# --- output schemas (Twilio's JSON-Schema subset) -------------------------------------------
SCALAR_TYPES = ["string", "number", "integer", "boolean", "null"]


@st.composite
def _leaf(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(SCALAR_TYPES))
    node: dict[str, Any] = {"type": kind}
    if kind != "null" and draw(st.booleans()):
        node["type"] = [kind, "null"]  # how Twilio wants optional fields written
    if kind == "string" and draw(st.booleans()):
        node["enum"] = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))
    if draw(st.booleans()):
        node["description"] = draw(TEXT)
    return node


def _with_user_closure(draw: st.DrawFn, node: dict[str, Any]) -> dict[str, Any]:
    """Users may send required / additionalProperties; Twilio overwrites both."""
    props = node.get("properties") or {}
    if props and draw(st.booleans()):
        node["required"] = draw(st.lists(st.sampled_from(sorted(props)), unique=True))
    if draw(st.booleans()):
        node["additionalProperties"] = draw(st.booleans())
    return node


def _extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def obj(draw: st.DrawFn) -> dict[str, Any]:
        props = draw(st.dictionaries(NAME, children, max_size=4))
        node: dict[str, Any] = {"type": draw(st.sampled_from(["object", ["object", "null"]]))}
        keep_empty: bool = draw(st.booleans())
        if props or keep_empty:
            node["properties"] = props
        return _with_user_closure(draw, node)

    return st.one_of(
        obj(),
        st.builds(lambda items: {"type": "array", "items": items}, children),
        st.lists(children, min_size=1, max_size=3).map(lambda branches: {"anyOf": branches}),
    )


SUBSCHEMAS = st.recursive(_leaf(), _extend, max_leaves=12)


def object_depth(node: Any) -> int:
    """Object levels as Twilio counts them ($defs count from the top)."""
    if not isinstance(node, dict):
        return 0
    kind = node.get("type")
    here = 1 if kind == "object" or (isinstance(kind, list) and "object" in kind) else 0
    below = [object_depth(c) for c in (node.get("properties") or {}).values()]
    below += [object_depth(c) for c in node.get("anyOf") or []]
    below.append(object_depth(node.get("items")))
    defs = [object_depth(c) for c in (node.get("$defs") or {}).values()]
    return max([here + max(below, default=0), *defs])


def property_count(node: Any) -> int:
    if not isinstance(node, dict):
        return 0
    props = node.get("properties") or {}
    total = len(props) + sum(property_count(c) for c in props.values())
    total += sum(property_count(c) for c in node.get("anyOf") or [])
    total += sum(property_count(c) for c in (node.get("$defs") or {}).values())
    return total + property_count(node.get("items"))


def draw_root_object(
    draw: st.DrawFn, names: st.SearchStrategy[str], subschemas: st.SearchStrategy[dict[str, Any]]
) -> dict[str, Any]:
    """A root object of 1-5 ``subschemas``, sometimes with $defs, each referenced by a $ref."""
    props = draw(st.dictionaries(names, subschemas, min_size=1, max_size=5))
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if draw(st.booleans()):
        defs = draw(st.dictionaries(names, subschemas, min_size=1, max_size=2))
        schema["$defs"] = defs
        for name in defs:
            props[f"ref_{name}"] = {"$ref": f"#/$defs/{name}"}
    return schema


@st.composite
def output_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """A root object schema within every limit, sometimes with $defs referenced by $ref."""
    return _with_user_closure(draw, draw_root_object(draw, NAME, SUBSCHEMAS))


VALID_OUTPUT_SCHEMAS = output_schemas().filter(
    lambda s: object_depth(s) <= 10 and property_count(s) <= 100
)


# --- Operator -------------------------------------------------------------------------------
@st.composite
def operator_parameters(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    params: dict[str, dict[str, Any]] = {}
    for name in draw(st.lists(NAME.filter(lambda n: not n[0].isdigit()), max_size=3, unique=True)):
        kind = draw(st.sampled_from(["STRING", "INTEGER", "NUMBER", "BOOLEAN", "KB"]))
        spec: dict[str, Any] = {}
        if kind == "KB":
            spec["type"] = "KNOWLEDGE_BASE_AND_SOURCE_IDS"
        else:
            spec["type"] = draw(st.sampled_from([kind, kind.lower()]))  # Twilio upper-cases it
            default = {
                "STRING": TEXT,
                "INTEGER": st.integers(-5, 100),
                "NUMBER": st.floats(-10, 10, allow_nan=False),
                "BOOLEAN": st.booleans(),
            }[kind]
            if draw(st.booleans()):
                spec["default"] = draw(default)
        if draw(st.booleans()):
            spec["required"] = draw(st.booleans())
        if draw(st.booleans()):
            spec["description"] = draw(TEXT)
        params[name] = spec
    return params


@st.composite
def operator_bodies(draw: st.DrawFn) -> dict[str, Any]:
    fmt = draw(st.sampled_from(["TEXT", "JSON", "CLASSIFICATION"]))
    params = draw(operator_parameters())
    refs = "".join(f" {{{{parameters.{n}}}}}" for n in params if draw(st.booleans()))
    body: dict[str, Any] = {
        "displayName": draw(TEXT),
        "prompt": draw(TEXT) + refs,
        "outputFormat": fmt,
    }
    if fmt == "JSON":
        body["outputSchema"] = draw(VALID_OUTPUT_SCHEMAS)
    if params:
        body["parameters"] = params
    if draw(st.booleans()):
        body["description"] = draw(TEXT)
    if draw(st.booleans()):
        output = st.just('{"ok": true}') if fmt == "JSON" else TEXT
        body["trainingExamples"] = draw(
            st.lists(st.fixed_dictionaries({"input": TEXT, "output": output}), max_size=2)
        )
    if draw(st.booleans()):
        body["context"] = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "memory": st.fixed_dictionaries({"enabled": st.booleans()}),
                    "knowledge": st.fixed_dictionaries({"enabled": st.booleans()}),
                },
            )
        )
    return body


# --- Intelligence Configuration ----------------------------------------------------------------
KB_VALUES = st.builds(lambda a, b: f"know_knowledgebase_{a}:know_knowledge_{b}", TTID, TTID)
RULE_OPERATORS = st.fixed_dictionaries(
    {"id": OPERATOR_IDS},
    optional={
        "version": st.integers(1, 9),
        "parameters": st.dictionaries(
            NAME, st.one_of(st.integers(0, 20), TEXT, st.booleans(), KB_VALUES), max_size=2
        ),
    },
)
TRIGGERS = st.fixed_dictionaries(
    {"on": st.sampled_from(["COMMUNICATION", "CONVERSATION_END", "CONVERSATION_INACTIVE"])},
    optional={"parameters": st.fixed_dictionaries({}, optional={"count": st.integers(1, 20)})},
)
ACTIONS = st.fixed_dictionaries(
    {"url": URLS}, optional={"type": st.just("WEBHOOK"), "method": st.just("POST")}
)
RULE_CONTEXT = st.fixed_dictionaries(
    {},
    optional={
        "memory": st.fixed_dictionaries({"enabled": st.booleans()}),
        "knowledge": st.fixed_dictionaries({"bases": st.lists(TEXT, min_size=1, max_size=2)}),
    },
)
RULES = st.fixed_dictionaries(
    {
        "operators": st.lists(RULE_OPERATORS, min_size=1, max_size=5),
        "actions": st.lists(ACTIONS, max_size=2),
    },
    optional={"triggers": st.lists(TRIGGERS, max_size=1), "context": RULE_CONTEXT},
)
CONFIGURATION_BODIES = st.fixed_dictionaries(
    {
        "displayName": st.text(string.ascii_letters + "- ", min_size=1, max_size=128).filter(
            str.strip
        ),
        "rules": st.lists(RULES, max_size=5),
    },
    optional={"description": TEXT},
)

# --- Conversation configuration ----------------------------------------------------------------
CONVERSATION_NAMES = st.text(string.ascii_letters + string.digits + "-_ ", min_size=1, max_size=32)
CHANNEL_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "statusTimeouts": st.fixed_dictionaries(
            {}, optional={"inactive": st.integers(1, 600), "closed": st.integers(1, 600)}
        ),
        "captureRules": st.lists(
            st.fixed_dictionaries(
                {"from": st.sampled_from(["*", "+15005550006"]), "to": TEXT},
                optional={"metadata": st.dictionaries(NAME, TEXT, max_size=2)},
            ),
            max_size=3,
        ),
    },
)
CONVERSATION_BODIES = st.fixed_dictionaries(
    {
        "displayName": CONVERSATION_NAMES,
        "description": TEXT,
        "conversationGroupingType": st.sampled_from(
            [
                "GROUP_BY_PROFILE",
                "GROUP_BY_PARTICIPANT_ADDRESSES",
                "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE",
            ]
        ),
        "memoryStoreId": TTID.map(lambda s: f"mem_store_{s}"),
    },
    optional={
        "channelSettings": st.dictionaries(
            st.sampled_from(["VOICE", "SMS", "RCS", "WHATSAPP", "CHAT"]), CHANNEL_SETTINGS
        ),
        "statusCallbacks": st.lists(
            st.fixed_dictionaries(
                {"url": URLS}, optional={"method": st.sampled_from(["POST", "GET"])}
            ),
            max_size=2,
        ),
        "intelligenceConfigurationIds": st.lists(
            TTID.map(lambda s: f"intelligence_configuration_{s}"), max_size=5, unique=True
        ),
        "memoryExtractionEnabled": st.booleans(),
    },
)

# --- Memory store -------------------------------------------------------------------------
STORE_BODIES = st.fixed_dictionaries(
    {"displayName": st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=40)},
    optional={"description": st.text(string.printable, min_size=1, max_size=128)},
)
