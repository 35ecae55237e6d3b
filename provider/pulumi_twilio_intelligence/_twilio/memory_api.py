"""The calls on the objects inside a Memory Store (Memory v1 edition 2, memory-v1.md §3-§6).

Every write answers 202 and is polled to a final operation state before it counts (§1.4). Updates
carry ``If-Match`` with the ETag read just before (quoted, as the spec's example shows: §1.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..errors import OperationFailedError
from .http import HttpClient, Tagged

STORES = "/v1/ControlPlane/Stores"
OPERATIONS = "/v1/ControlPlane/Operations"
PAGE_SIZE = 100  # the control-plane maximum (§1.3)


def quoted(etag: str | None) -> str | None:
    """An ETag as an If-Match value: quoted, unless it already is."""
    if not etag:
        return None
    return etag if etag.startswith('"') else f'"{etag}"'


class MemoryObjectsApi:
    """Identity resolution settings, trait groups and data mappings of a store."""

    http: HttpClient
    _poll_operation: Callable[[Any, str, Any, dict[str, Any]], dict[str, Any]]

    def _tagged(self, path: str, params: dict[str, Any] | None = None) -> Tagged:
        response = self.http.request("memory", "GET", path, params=params)
        return Tagged.of(response)

    def _memory_write(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        etag: str | None = None,
    ) -> dict[str, Any]:
        """One write, polled to COMPLETED; the finished operation."""
        if_match = quoted(etag)
        headers = {"If-Match": if_match} if if_match else None
        response = self.http.request("memory", method, path, json=body, headers=headers)
        accepted = response.json() if response.content else {}
        return self._poll_operation("memory", OPERATIONS, response, accepted)

    # --- identity resolution settings (§3) ------------------------------------------------
    def get_identity_settings(self, store_id: str) -> Tagged:
        return self._tagged(f"{STORES}/{store_id}/IdentityResolutionSettings")

    def put_identity_settings(self, store_id: str, body: dict[str, Any], etag: str | None) -> None:
        self._memory_write("PUT", f"{STORES}/{store_id}/IdentityResolutionSettings", body, etag)

    # --- trait groups (§4) ---------------------------------------------------------------
    def list_trait_groups(self, store_id: str) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = self.http.list_all(
            "memory",
            f"{STORES}/{store_id}/TraitGroups",
            "traitGroups",
            page_size=PAGE_SIZE,
            params={"includeTraits": "true"},
        )
        return groups

    def get_trait_group(self, store_id: str, name: str) -> Tagged:
        tagged = self._tagged(_group_path(store_id, name), {"pageSize": PAGE_SIZE})
        tagged.body = dict(tagged.body.get("traitGroup") or {})
        return tagged

    def create_trait_group(self, store_id: str, body: dict[str, Any]) -> None:
        self._memory_write("POST", f"{STORES}/{store_id}/TraitGroups", body)

    def patch_trait_group(
        self, store_id: str, name: str, body: dict[str, Any], etag: str | None
    ) -> None:
        self._memory_write("PATCH", _group_path(store_id, name), body, etag)

    def delete_trait_group(self, store_id: str, name: str) -> None:
        self._memory_write("DELETE", _group_path(store_id, name))

    # --- data mappings (§5) --------------------------------------------------------------
    def list_data_mappings(self, store_id: str) -> list[dict[str, Any]]:
        mappings: list[dict[str, Any]] = self.http.list_all(
            "memory", f"{STORES}/{store_id}/DataMappings", "dataMappings", page_size=PAGE_SIZE
        )
        return mappings

    def get_data_mapping(self, store_id: str, mapping_id: str) -> Tagged:
        return self._tagged(f"{STORES}/{store_id}/DataMappings/{mapping_id}")

    def create_data_mapping(self, store_id: str, body: dict[str, Any]) -> str:
        """POST then poll; the new id is only in the finished operation's ``result.id``."""
        operation = self._memory_write("POST", f"{STORES}/{store_id}/DataMappings", body)
        result = operation.get("result") or {}
        if not result.get("id"):
            raise OperationFailedError("data mapping operation completed without a result id")
        return str(result["id"])

    def patch_data_mapping(
        self, store_id: str, mapping_id: str, body: dict[str, Any], etag: str | None
    ) -> None:
        self._memory_write("PATCH", f"{STORES}/{store_id}/DataMappings/{mapping_id}", body, etag)

    def delete_data_mapping(self, store_id: str, mapping_id: str) -> None:
        self._memory_write("DELETE", f"{STORES}/{store_id}/DataMappings/{mapping_id}")


def _group_path(store_id: str, name: str) -> str:
    return f"{STORES}/{store_id}/TraitGroups/{quote(name, safe='')}"
