"""Policies on the contents of Memory Stores (memory-v1.md §3-§5): one per kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from .base import UNKNOWN, Policies, Policy, Settings, Subject, dict_of, known, list_of

__all__ = ["MEMORY_POLICIES"]
_policies = Policies()  # filled by the checks below, in their order

# Identifier types whose values have a normalisation of their own (§3.1): matching compares
# normalised values, so "Ann@Example.com" and "ann@example.com" are one profile only with it.
_NORMALISATION = {"email": "email", "phone": "phone", "whatsapp": "phone", "sms": "phone"}


@_policies.advisory("IdentityResolutionSettings")
def _identifiers_are_normalised(subject: Subject, _: Settings) -> Iterator[str]:
    """Email identifiers use the email normalisation, and phone-number identifiers (phone,
    whatsapp, sms) the phone normalisation, so that one customer matches one profile.

    Remediation: Set normalization: email (or phone) on the identifier type."""
    for item in list_of(subject.props.get("identifierConfigs")):
        config = dict_of(known(item))
        id_type = config.get("idType")
        wanted = _NORMALISATION.get(str(id_type).lower()) if isinstance(id_type, str) else None
        normalization = config.get("normalization") or "trim"
        if wanted and normalization not in (wanted, UNKNOWN):
            yield (
                f"identifier type {id_type!r} is normalised with {normalization!r}, not "
                f"{wanted!r}: differently written values of one customer will not match"
            )


@_policies.mandatory("TraitGroup")
def _promoted_traits_are_strings(subject: Subject, _: Settings) -> Iterator[str]:
    """A trait promoted to an identifier type (idTypePromotion) is a STRING: identifier values
    are strings.

    Remediation: Make the trait's dataType STRING, or drop idTypePromotion."""
    for name, definition in dict_of(known(subject.props.get("traits"))).items():
        trait = dict_of(definition)
        data_type = trait.get("dataType")
        if trait.get("idTypePromotion") and data_type not in (None, "STRING", UNKNOWN):
            yield (
                f"trait {name!r} is promoted to identifier type "
                f"{trait.get('idTypePromotion')!r} but is a {data_type}: identifier values are "
                "strings"
            )


@_policies.advisory("DataMapping")
def _ingress_mappings_use_their_columns(subject: Subject, _: Settings) -> Iterator[str]:
    """An INGRESS data mapping maps every column it declares, and only those (a column mapped to
    nothing is ingested for nothing; an expression naming no column maps nothing).

    Remediation: Map the column to a trait, or remove it from mappingFrom.columns."""
    source = dict_of(known(subject.props.get("mappingFrom")))
    if source.get("type") != "INGRESS":
        return
    columns = list_of(source.get("columns"))
    items = list_of(dict_of(known(subject.props.get("mappingTo"))).get("mappings"))
    expressions = [dict_of(i).get("expression") for i in items]
    if UNKNOWN in columns or UNKNOWN in expressions:
        return  # judged once known
    for expression in expressions:
        if isinstance(expression, str) and expression not in columns:
            yield f"expression {expression!r} is not one of the source's columns"
    for column in columns:
        if column not in expressions:
            yield f"column {column!r} is ingested but mapped to no trait"


MEMORY_POLICIES: Final[tuple[Policy, ...]] = tuple(_policies)
