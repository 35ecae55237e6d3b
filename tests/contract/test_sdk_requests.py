"""The SDK's request classes for control-plane writes carry exactly the top-level fields of the
reference's request schemas (../shared/reference/schemas): a field one of them adds is a
disagreement to settle (the SDK being the newer source). Insights custom field mappings have
no request schema in the reference; their disagreement is listed in test_sdk_contract.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from twilio.rest.conversations.v2.configuration import ConfigurationList as Orchestrator
from twilio.rest.intelligence.v3.configuration import ConfigurationList as Intelligence
from twilio.rest.intelligence.v3.operator import OperatorList
from twilio.rest.intelligence.v3.rule_execution import RuleExecutionList
from twilio.rest.knowledge.v2.knowledge import KnowledgeList
from twilio.rest.knowledge.v2.knowledge_basis import KnowledgeBasisList
from twilio.rest.memory.v1.data_mapping import DataMappingList
from twilio.rest.memory.v1.identity_resolution_setting import IdentityResolutionSettingList
from twilio.rest.memory.v1.store import StoreList
from twilio.rest.memory.v1.trait_group import TraitGroupList

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "schemas"
REQUESTS: dict[str, Any] = {
    "intelligence-configuration.create.json": Intelligence.CreateConfigurationRequest,
    "intelligence-configuration.update.json": Intelligence.UpdateConfigurationRequest,
    "operator.create.json": OperatorList.LanguageOperator,
    "rule-execution.create.json": RuleExecutionList.CreateRuleExecutionRequest,
    "conversation-configuration.create.json": Orchestrator.CreateConfigurationRequest,
    "conversation-configuration.update.json": Orchestrator.UpdateConfigurationRequest,
    "conversation-configuration.patch.json": Orchestrator.PatchConfigurationRequest,
    "memory-store.create.json": StoreList.ServiceRequest,
    "memory-store.update.json": StoreList.PatchStoreRequest,
    "trait-group.create.json": TraitGroupList.TraitGroupRequest,
    "trait-group.update.json": TraitGroupList.PatchTraitGroupRequest,
    "data-mapping.create.json": DataMappingList.CreateDataMappingInput,
    "data-mapping.update.json": DataMappingList.DataMappingCore,
    "identity-resolution-settings.update.json": (
        IdentityResolutionSettingList.IdentityResolutionSettingsCore
    ),
    "knowledge-base.create.json": KnowledgeBasisList.KnowledgeBaseCore,
    "knowledge-base.update.json": KnowledgeBasisList.UpdateKnowledgeBaseRequest,
    "knowledge-source.create.json": KnowledgeList.KnowledgeCore,
    "knowledge-source.update.json": KnowledgeList.KnowledgeCore,
}


def test_every_request_schema_of_the_reference_is_paired() -> None:
    written = {
        p.name for p in SCHEMAS.glob("*.json") if p.stem.endswith((".create", ".update", ".patch"))
    }
    assert written == set(REQUESTS)


@pytest.mark.parametrize("schema", sorted(REQUESTS))
def test_the_sdk_request_has_the_reference_fields(schema: str) -> None:
    fields = set(json.loads((SCHEMAS / schema).read_text()).get("properties", {}))
    assert set(REQUESTS[schema]({}).to_dict()) == fields
