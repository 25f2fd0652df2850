"""Reference data: regions, catalogue basics, channels, partners, outlets, sales people, customers."""

from salesdev.domains.reference.kinds import ENTITY_KINDS, EntityKind, FieldSpec
from salesdev.domains.reference.service import (
    create_entity,
    delete_entity,
    entity_kind,
    find_ids_by_code,
    find_visible_ids_by_code,
    get_entity,
    scoped_select,
    to_values,
    update_entity,
)

__all__ = [
    "ENTITY_KINDS",
    "EntityKind",
    "FieldSpec",
    "create_entity",
    "delete_entity",
    "entity_kind",
    "find_ids_by_code",
    "find_visible_ids_by_code",
    "get_entity",
    "scoped_select",
    "to_values",
    "update_entity",
]
