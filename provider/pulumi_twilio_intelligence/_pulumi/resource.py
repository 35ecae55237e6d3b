"""The base of the public resources of every kind (``resources``, ``knowledge``,
``memory_resources``): what they all do the same way, so that each class declares only its own
arguments and outputs.

No ``from __future__ import annotations`` here: the shared constructor's annotations are evaluated
where they are written, so a type checker or ``typing.get_type_hints`` reads them from the class
that inherits the constructor without needing this module's names.
"""

import inspect
from typing import Any, ClassVar, Self

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

from .._core.kinds import MODULE, by_name
from ..inputs import DeletionPolicy

__all__ = ["DataContainer", "ManagedResource"]

# Constructor arguments that are not properties of the object: the bookkeeping and Pulumi's own.
_NOT_PROPERTIES = frozenset(("self", "resource_name", "adopt_id", "opts"))


def _camel(snake: str) -> str:
    """The API's name of a constructor argument (``conversations_v1_bridge``:
    ``conversationsV1Bridge``)."""
    head, *rest = snake.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _bookkeeping(resource_name: str, adopt_id: str | None) -> dict[str, Any]:
    """What every provider gets beside the object's fields: the names it derives a physical name
    from and the id of an object to take over."""
    scope = [pulumi.get_project(), pulumi.get_stack()]
    return {"resourceName": resource_name, "scope": scope, "adoptId": adopt_id}


class ManagedResource(Resource):
    """A resource of one kind of the registry (``_core.kinds``): its Pulumi type is the kind's
    name and its dynamic provider the kind's.

    A subclass declares its outputs as ``pulumi.Output`` annotations, what ``get`` reads, and a
    constructor with typed keyword arguments (the public signature) that ends with
    ``self._declare(locals())``."""

    # What ``get`` reads of an existing object (API names).
    read_by_get: ClassVar[tuple[str, ...]] = ()

    # Read once per class, from its constructor's signature and its annotations: the arguments
    # that are properties, as (argument, API name), and the API names of the outputs it declares
    # that are no argument (the provider computes them).
    _fields: ClassVar[tuple[tuple[str, str], ...]]
    _computed: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(module=MODULE, name=cls.__name__, **kwargs)
        parameters = inspect.signature(cls.__init__).parameters
        cls._fields = tuple((n, _camel(n)) for n in parameters if n not in _NOT_PROPERTIES)
        cls._computed = tuple(
            _camel(n) for n in inspect.get_annotations(cls) if n not in parameters
        )

    @classmethod
    def _dynamic_provider(cls) -> ResourceProvider:
        provider: ResourceProvider = by_name(cls.__name__).load("provider")()
        return provider

    def _declare(self, arguments: dict[str, Any]) -> None:
        """Register the resource from its constructor's ``locals()`` (where a constructor adjusts
        a value, the adjusted one): the signature is the one list of its arguments, each sent
        under the API's name (camelCase), and the class's annotations the list of its outputs."""
        resource_name: str = arguments["resource_name"]
        props = {
            **_bookkeeping(resource_name, arguments["adopt_id"]),
            **{api_name: arguments[name] for name, api_name in self._fields},
            **dict.fromkeys(self._computed),
        }
        Resource.__init__(self, self._dynamic_provider(), resource_name, props, arguments["opts"])

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> Self:
        """An existing object, read by id through the provider; the stack records it as external
        and never changes or deletes it."""
        resource = cls.__new__(cls)
        props = {**_bookkeeping(resource_name, None), **dict.fromkeys(cls.read_by_get)}
        read = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        Resource.__init__(resource, cls._dynamic_provider(), resource_name, props, read)
        return resource


class DataContainer(ManagedResource):
    """An object that holds customer data and is named and described by the user (a Memory Store,
    a Knowledge base): removing it from the stack retains it, with a warning naming it, unless
    ``deletion_policy="delete"``."""

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        deletion_policy: DeletionPolicy = "retain",
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self._declare(locals())
