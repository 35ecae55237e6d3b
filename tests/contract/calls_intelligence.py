"""The contract's Intelligence v3 calls (intelligence-v3.md), each driven through the SDK."""

from __future__ import annotations

from typing import Any

from twilio.rest.intelligence.v3.configuration import ConfigurationList
from twilio.rest.intelligence.v3.operator import OperatorList

from .harness import Entries, Run, check_id, ident_of

__all__ = ["ENTRIES", "make_configuration", "make_operator"]

# Twilio-authored Sentiment operator (intelligence-v3.md, Twilio operators).
SENTIMENT = "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"
V3 = "intelligence.v3."

CONFIGURATION = ("intelligence configuration",)
OPERATOR = ("operator",)
ENTRIES = Entries()


def operator_body(run: Run, **overrides: Any) -> dict[str, Any]:
    return {
        "displayName": run.name("Score"),
        "description": "Scores the interaction",
        "prompt": "Rate the interaction from 0 to 5.",
        "outputFormat": "JSON",
        "outputSchema": {
            "type": "object",
            "properties": {"score": {"type": "integer"}},
            "required": ["score"],
        },
        **overrides,
    }


def make_operator(run: Run) -> str:
    return make_operator_named(run, "Score")


def make_operator_named(run: Run, name: str) -> str:
    operators = run.client.intelligence.v3.operators
    body = operator_body(run, displayName=run.name(name))
    created = operators.create(OperatorList.LanguageOperator(body))
    run.answered(201)
    ident = check_id(created.id, "intelligence_operator")
    return run.created("operator", ident, operators(ident).delete)


def rule(operator_id: str = SENTIMENT, on: str = "CONVERSATION_END") -> dict[str, Any]:
    return {"operators": [{"id": operator_id}], "triggers": [{"on": on}], "actions": []}


def make_configuration(run: Run, operator_id: str = SENTIMENT, on: str = "CONVERSATION_END") -> Any:
    configurations = run.client.intelligence.v3.configurations
    body = {
        "displayName": run.name("cfg"),
        "description": "contract",
        "rules": [rule(operator_id, on)],
    }
    created = configurations.create(ConfigurationList.CreateConfigurationRequest(body))
    run.answered(201)
    check_id(created.id, "intelligence_configuration")
    run.created("intelligence configuration", created.id, configurations(created.id).delete)
    return created


@ENTRIES.driver(
    V3 + "ConfigurationList.create",
    "CreateConfigurationRequest{displayName, description, rules}",
    ("operator (Twilio's Sentiment)",),
)
def configuration_create(run: Run) -> None:
    created = make_configuration(run)
    assert created.display_name == run.name("cfg")
    assert len(created.rules or []) == 1, created.rules
    rule_id = ident_of(created.rules[0])
    check_id(rule_id, "intelligence_configurationrule")
    assert created.version is not None


@ENTRIES.driver(V3 + "ConfigurationList.list", "page_size", CONFIGURATION)
def configuration_list(run: Run) -> None:
    created = make_configuration(run)
    assert created.id in run.listed(run.client.intelligence.v3.configurations.list(page_size=50))


@ENTRIES.driver(V3 + "ConfigurationContext.fetch", "id", CONFIGURATION)
def configuration_fetch(run: Run) -> None:
    created = make_configuration(run)
    fetched = run.got(run.client.intelligence.v3.configurations(created.id).fetch())
    assert (fetched.id, fetched.display_name) == (created.id, created.display_name)


@ENTRIES.driver(
    V3 + "ConfigurationContext.update",
    "id, UpdateConfigurationRequest{displayName, description, rules[id]}",
    CONFIGURATION,
)
def configuration_update(run: Run) -> None:
    created = make_configuration(run)
    rule_id = ident_of(created.rules[0])
    body = {
        "displayName": run.name("cfg"),
        "description": "updated",
        "rules": [{**rule(), "id": rule_id}],
    }
    context = run.client.intelligence.v3.configurations(created.id)
    updated = run.got(context.update(ConfigurationList.UpdateConfigurationRequest(body)))
    assert (updated.id, updated.description) == (created.id, "updated")
    assert updated.version is not None
    assert updated.version > created.version


@ENTRIES.driver(V3 + "ConfigurationContext.delete", "id", CONFIGURATION)
def configuration_delete(run: Run) -> None:
    created = make_configuration(run)
    assert run.client.intelligence.v3.configurations(created.id).delete() is True
    run.answered(204)
    run.deleted(created.id)


@ENTRIES.driver(
    V3 + "OperatorList.create",
    "LanguageOperator{displayName, description, prompt, outputFormat, outputSchema}",
)
def operator_create(run: Run) -> None:
    ident = make_operator(run)
    fetched = run.client.intelligence.v3.operators(ident).fetch()
    assert fetched.display_name == run.name("Score")
    assert fetched.author == "SELF", fetched.author


@ENTRIES.driver(V3 + "OperatorList.list", "page_size", OPERATOR)
def operator_list(run: Run) -> None:
    """Pages of one: the SDK follows the emulator's nextToken through every operator."""
    mine = {make_operator(run), make_operator_named(run, "Other")}
    mark = len(run.transport.exchanges)
    ids = run.listed(run.client.intelligence.v3.operators.list(page_size=1))
    assert mine <= ids
    pages = [e for e in run.transport.exchanges[mark:] if e.method == "GET"]
    assert len(pages) >= len(ids), "one page per operator"


@ENTRIES.driver(V3 + "OperatorContext.fetch", "id (Twilio's Sentiment)")
def operator_fetch(run: Run) -> None:
    fetched = run.got(run.client.intelligence.v3.operators(SENTIMENT).fetch())
    assert (fetched.id, fetched.author) == (SENTIMENT, "TWILIO")
    assert fetched.version is not None
    assert fetched.version >= 1


@ENTRIES.driver(V3 + "OperatorContext.update", "id, LanguageOperator", OPERATOR)
def operator_update(run: Run) -> None:
    ident = make_operator(run)
    body = operator_body(run, description="Scores it again")
    updated = run.client.intelligence.v3.operators(ident).update(
        OperatorList.LanguageOperator(body)
    )
    run.answered(200)
    assert (updated.id, updated.description) == (ident, "Scores it again")
    assert updated.version == 2, updated.version


@ENTRIES.driver(V3 + "OperatorContext.delete", "id", OPERATOR)
def operator_delete(run: Run) -> None:
    ident = make_operator(run)
    assert run.client.intelligence.v3.operators(ident).delete() is True
    run.answered(204)
    run.deleted(ident)


@ENTRIES.driver(V3 + "VersionList.list", "id (Twilio's Sentiment)")
def version_list(run: Run) -> None:
    versions = run.got(run.client.intelligence.v3.versions(SENTIMENT).list())
    assert versions
    assert all(v.version is not None for v in versions)


@ENTRIES.driver(V3 + "VersionContext.fetch", "id (Twilio's Sentiment), resource_version")
def version_fetch(run: Run) -> None:
    fetched = run.got(run.client.intelligence.v3.versions(SENTIMENT, 1).fetch())
    assert fetched.version == 1
    assert fetched.status, vars(fetched)
