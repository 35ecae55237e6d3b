"""Pulumi adapters of the objects inside a Memory Store (described in ``_core.memory_models``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from .providers import _Adapter

if TYPE_CHECKING:
    from .._core.spec import ResourceModel


class _InStoreAdapter(_Adapter):
    kind_name: ClassVar[str]

    @property
    def model(self) -> type[ResourceModel]:
        from .._core import kinds  # noqa: PLC0415 - the models need pydantic: plugin only

        model: type[ResourceModel] = kinds.by_name(self.kind_name).load("model")
        return model


class IdentityResolutionSettingsProvider(_InStoreAdapter):
    kind_name = "IdentityResolutionSettings"
    model_name = "IdentityResolutionSettingsModel"
    reconciler_name = "IdentityResolutionSettingsReconciler"
    auto_name = False  # a singleton of its store: no name


class TraitGroupProvider(_InStoreAdapter):
    kind_name = "TraitGroup"
    model_name = "TraitGroupModel"
    reconciler_name = "TraitGroupReconciler"
    name_max_length = 64
    name_disallowed = r"[^a-zA-Z0-9_\-\.]"


class DataMappingProvider(_InStoreAdapter):
    kind_name = "DataMapping"
    model_name = "DataMappingModel"
    reconciler_name = "DataMappingReconciler"
    name_max_length = 64
