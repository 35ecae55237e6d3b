"""Every call the installed ``twilio`` SDK offers for the five APIs, read from the SDK itself.

A call is one HTTP operation of one resource: ``<api>.<version>.<Class>.<method>``, where
``Class`` is a ``ListResource`` or ``InstanceContext`` of ``twilio/rest/<api>/<version>`` and
``method`` one of create/fetch/update/patch/delete/list (``stream`` and ``page`` send the same
request as ``list``). Walking the package, rather than writing the list by hand, is what lets
tests/contract/test_sdk_contract.py notice a call a newer SDK adds.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from functools import cache

from twilio.base.instance_context import InstanceContext
from twilio.base.instance_resource import InstanceResource
from twilio.base.list_resource import ListResource

__all__ = [
    "API_VERSIONS",
    "METHODS",
    "SdkCall",
    "call_for",
    "sdk_calls",
    "static_segments",
    "unknown_fields",
]

API_VERSIONS = ("intelligence.v3", "conversations.v2", "memory.v1", "knowledge.v2", "insights.v3")
METHODS = ("create", "fetch", "update", "patch", "delete", "list")
_URI = re.compile(r'self\._uri = \(?\s*"([^"]+)"')

# Data plane: customer data rather than configuration. Everything else the five APIs offer
# (Intelligence's conversations, results and rule executions and Insights' queries included)
# is the control plane the contract test must drive.
_DATA_PLANE = (
    ("memory", re.compile(r"^/Stores/\{store_id\}/Profiles")),
    ("conversations", re.compile(r"^/Conversations")),
    ("knowledge", re.compile(r"/(Search|Chunks)$")),
)


@dataclass(frozen=True, order=True)
class SdkCall:
    api: str  # "memory"
    version: str  # "v1"
    resource: str  # "StoreList" / "StoreContext"
    method: str  # one of METHODS
    uri: str  # the SDK's path template after the version, e.g. "/ControlPlane/Stores"
    module: str  # the SDK module defining the resource (and its Instance class)

    @property
    def name(self) -> str:
        return f"{self.api}.{self.version}.{self.resource}.{self.method}"

    @property
    def path(self) -> re.Pattern[str]:
        """The request paths of this call (``/v1/ControlPlane/Stores/<anything>``)."""
        return re.compile(f"/{self.version}" + re.sub(r"\{[^}]+\}", "[^/]+", self.uri))

    def required_arguments(self) -> list[str]:
        """What the call cannot be made without: the resource's path parameters, then each
        required argument of the method (by its request class, or by name when a str/int)."""
        resource = getattr(importlib.import_module(self.module), self.resource)
        path = list(inspect.signature(resource.__init__).parameters)[2:]  # after self, version
        method = inspect.signature(getattr(resource, self.method)).parameters.values()
        required = [p for p in method if p.name != "self" and p.default is inspect.Parameter.empty]
        return path + [
            p.name
            if str(p.annotation).strip("'") in ("str", "int")
            else str(p.annotation).strip("'")
            for p in required
        ]

    def instance_fields(self) -> frozenset[str]:
        """The answer fields the SDK's Instance class of this resource reads."""
        return _instance_fields(self.module)

    @property
    def control_plane(self) -> bool:
        return not any(api == self.api and rule.search(self.uri) for api, rule in _DATA_PLANE)


def _resource_classes(api_version: str) -> list[type]:
    package = importlib.import_module(f"twilio.rest.{api_version}")
    found: list[type] = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        found.extend(
            cls
            for cls in vars(module).values()
            if inspect.isclass(cls)
            and cls.__module__ == module.__name__
            and issubclass(cls, ListResource | InstanceContext)
        )
    return found


def _uri_of(cls: type) -> str:
    match = _URI.search(inspect.getsource(cls.__init__))  # type: ignore[misc]  # every resource class defines __init__
    return match.group(1) if match else ""


@cache
def sdk_calls() -> tuple[SdkCall, ...]:
    """The SDK's calls for the five APIs, sorted by name."""
    calls: list[SdkCall] = []
    for api_version in API_VERSIONS:
        api, version = api_version.split(".")
        for cls in _resource_classes(api_version):
            uri = _uri_of(cls)
            calls.extend(
                SdkCall(api, version, cls.__name__, method, uri, cls.__module__)
                for method in METHODS
                if inspect.isfunction(vars(cls).get(method))
            )
    return tuple(sorted(calls, key=lambda call: call.name))


@cache
def static_segments() -> frozenset[str]:
    """The fixed words of the SDK's path templates ("ControlPlane", "Stores", "Profiles")."""
    return frozenset(
        segment
        for call in sdk_calls()
        for segment in call.uri.split("/")
        if segment and not segment.startswith("{")
    )


@cache
def _instance_fields(module_name: str) -> frozenset[str]:
    module = importlib.import_module(module_name)
    fields: set[str] = set()
    for cls in vars(module).values():
        if (
            inspect.isclass(cls)
            and issubclass(cls, InstanceResource)
            and cls is not InstanceResource
        ):
            fields.update(re.findall(r'payload\.get\(\s*"(\w+)"', inspect.getsource(cls)))
    return frozenset(fields)


def call_for(host: str, method: str, path: str) -> SdkCall | None:
    """The SDK call a request is (host "memory.twilio.com" names the API)."""
    api = host.split(".", maxsplit=1)[0]
    verbs = {"GET": ("fetch", "list"), "POST": ("create",), "PUT": ("update",)}
    wanted = verbs.get(method, ("patch", "update") if method == "PATCH" else ("delete",))
    for call in sdk_calls():
        if call.api == api and call.method in wanted and call.path.fullmatch(path):
            return call
    return None


def unknown_fields(host: str, method: str, path: str, body: object) -> set[str]:
    """Fields of a 2xx answer the SDK's Instance class does not read (so a user of the SDK
    would never see them): a renamed or misplaced field. A list's items are checked, unless
    the list is itself a field of the instance (Insights rows, whose keys are the query's)."""
    call = call_for(host, method, path)
    if call is None or not isinstance(body, dict):
        return set()
    known = call.instance_fields() | {"meta"}
    meta = body.get("meta")
    key = meta.get("key") if isinstance(meta, dict) else None
    items = body.get(key) if key else None
    if isinstance(items, list) and key not in known:
        dicts = [item for item in items if isinstance(item, dict)]
        return {name for item in dicts for name in item} - known
    return set(body) - known
