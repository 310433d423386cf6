"""Pure-Python domain: entities, enums, errors, ids, clock. Imports only the standard library."""
