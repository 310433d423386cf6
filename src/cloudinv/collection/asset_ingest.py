"""Assets from the plugin stream: each batch resolved against what is known with one query per match rule,
then created and updated with one statement each, every change recorded with its job and task."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from cloudinv.collection.ingest import Rejected, classify
from cloudinv.collection.resources import Candidate, CandidateBuilder, ResourceRejected, RuleKeys, RuleValues
from cloudinv.domain.clock import utcnow
from cloudinv.domain.counts import Counts
from cloudinv.domain.ids import new_ids
from cloudinv.domain.task import TaskContext
from cloudinv.store.asset_changes import record_changes
from cloudinv.store.asset_lifecycle import mark_missing
from cloudinv.store.asset_match import RuleKeyError, ensure_indexes, key_value, lookup_params, lookup_sql
from cloudinv.store.bulk import BulkWriter
from cloudinv.store.engine import Database
from cloudinv.store.lookups import upsert_lookups
from cloudinv.store.schema import assets

_UPDATED_COLUMNS = (
    "name", "state", "provider", "account", "asset_type_id", "region_code", "ip_addresses", "data", "metadata",
    "tags", "project_id", "collector_id", "service_account_id", "secret_id", "job_id", "job_task_id",
    "disconnected_count", "updated_at", "deleted_at",
)  # fmt: skip
DEFAULT_MAX_RESOURCE_BYTES = 1024 * 1024


class Lookup(NamedTuple):
    """A CloudServiceType or Region item: stored for lookup, not counted."""

    item: Mapping[str, Any]


class _Batch:
    """One batch's resolution: rows to create, rows to update, and what each new row can be matched by."""

    def __init__(self, size: int) -> None:
        self.creates: dict[str, dict[str, Any]] = {}
        self.updates: dict[str, dict[str, Any]] = {}
        self.new_keys: dict[tuple[RuleKeys, RuleValues], str] = {}
        self._ids = iter(new_ids("asset", size))  # at most one create per candidate

    def create(self, found: Candidate) -> None:
        asset_id = found.row["asset_id"] = next(self._ids)
        self.creates[asset_id] = found.row
        for keys, values in zip(found.rules, found.values, strict=True):
            if values is not None:
                self.new_keys.setdefault((keys, values), asset_id)

    def update(self, asset_id: str, found: Candidate) -> None:
        if asset_id in self.creates:  # the same resource twice in one batch: the later one wins
            found.row["asset_id"] = asset_id
            self.creates[asset_id] = found.row
        else:
            self.updates[asset_id] = found.row


class AssetIngestor:
    def __init__(self, database: Database, max_resource_bytes: int = DEFAULT_MAX_RESOURCE_BYTES) -> None:
        self.db = database
        self.max_resource_bytes = max_resource_bytes
        self._indexed: set[str] = set()
        dialect = database.dialect
        self._assets = BulkWriter(assets, [c.name for c in assets.columns], dialect)  # what every row holds
        self._updates = BulkWriter(assets, _UPDATED_COLUMNS, dialect)

    def preparer(self, context: TaskContext) -> Callable[[Any], Candidate | Lookup | Rejected]:
        build = CandidateBuilder(context, self.max_resource_bytes).build

        def prepare(item: Any) -> Candidate | Lookup | Rejected:
            kind = classify(item)
            if isinstance(kind, Rejected):
                return kind
            if kind == "lookup":
                return Lookup(item)
            try:
                return build(item)
            except ResourceRejected as exc:
                return Rejected("ERROR_INVALID_RESOURCE", str(exc))

        return prepare

    def ingest(self, context: TaskContext, items: Sequence[Any]) -> Counts:
        """Prepare and store one batch of plugin items in the calling thread."""
        return self.store(context, list(map(self.preparer(context), items)))

    def store(self, context: TaskContext, prepared: Sequence[Candidate | Lookup | Rejected]) -> Counts:
        counts = Counts()
        candidates: list[Candidate] = []
        lookups: list[Mapping[str, Any]] = []
        stamp = self._assets.stored_time(utcnow())
        for entry in prepared:
            if type(entry) is Candidate:
                entry.row["created_at"] = entry.row["updated_at"] = stamp
                candidates.append(entry)
            elif isinstance(entry, Lookup):
                lookups.append(entry.item)
            elif isinstance(entry, Rejected):
                counts.fail(entry.code, entry.message)
        self._index_rules(candidates)
        # Two tasks streaming the same resource at once must not both create it: the lookups and the writes of
        # a batch run under the write lock (SQLite) or under locks on the batch's rule values (PostgreSQL).
        with self.db.begin(write_lock=True) as conn:
            if self.db.dialect == "postgresql":
                lock_rule_values(conn, context, candidates)
            batch = self._resolve(conn, context, candidates, counts)
            self._write(conn, context, batch)
            self._store_lookups(conn, context, lookups)
        counts.created += len(batch.creates)
        counts.updated += len(batch.updates)
        return counts

    def _index_rules(self, candidates: Sequence[Candidate]) -> None:
        keys = {k for c in candidates for rule in c.rules for k in rule} - self._indexed
        if not keys:
            return
        for key in keys:
            try:
                with self.db.begin() as conn:
                    ensure_indexes(conn, [key], self.db.dialect, self._indexed)
            except RuleKeyError:
                self._indexed.add(key)  # reported per item when it is matched on
            except DBAPIError:
                pass  # another worker created it at the same moment

    def _resolve(self, conn: Connection, context: TaskContext, candidates: list[Candidate], counts: Counts) -> _Batch:
        """Rules in ascending order: one match updates, none goes on to the next rule, several is an error."""
        batch = _Batch(len(candidates))
        pending = list(candidates)
        level = 0
        while pending:
            by_rule: dict[RuleKeys, list[tuple[Candidate, RuleValues]]] = defaultdict(list)
            unmatched: list[Candidate] = []
            for found in pending:
                if level >= len(found.rules):
                    self._create_or_fail(batch, found, counts)
                    continue
                values = found.values[level]
                if values is None:
                    unmatched.append(found)  # a rule naming absent keys cannot match: try the next one
                    continue
                by_rule[found.rules[level]].append((found, values))
            for keys, group in by_rule.items():
                unmatched.extend(self._match_group(conn, context, keys, group, batch, counts))
            pending, level = unmatched, level + 1
        return batch

    @staticmethod
    def _create_or_fail(batch: _Batch, found: Candidate, counts: Counts) -> None:
        """Matched nothing stored: it updates what an earlier item of this batch created by one of its rules
        (the same resource twice in one batch, the later one wins), or is created."""
        if not found.usable:
            counts.fail("ERROR_MATCH_RULE", f"no match rule of {found.name!r} names keys it has")
            return
        for keys, values in zip(found.rules, found.values, strict=True):
            created = batch.new_keys.get((keys, values)) if values is not None else None
            if created is not None:
                batch.update(created, found)
                return
        batch.create(found)

    def _match_group(
        self,
        conn: Connection,
        context: TaskContext,
        keys: RuleKeys,
        group: list[tuple[Candidate, RuleValues]],
        batch: _Batch,
        counts: Counts,
    ) -> list[Candidate]:
        try:
            known = self._lookup(conn, context, keys, {values for _, values in group})
        except RuleKeyError as exc:
            for _ in group:
                counts.fail("ERROR_MATCH_RULE", str(exc))
            return []
        unmatched = []
        for found, values in group:
            matches = known.get(values, [])
            fresh = batch.new_keys.get((keys, values))  # created by an earlier rule level of this batch
            if len(matches) > 1:
                counts.fail(
                    "ERROR_TOO_MANY_MATCH", f"{len(matches)} assets match {dict(zip(keys, values, strict=True))}"
                )
            elif matches:
                batch.update(matches[0], found)
            elif fresh is not None:
                batch.update(fresh, found)
            else:
                unmatched.append(found)
        return unmatched

    def _lookup(
        self, conn: Connection, context: TaskContext, keys: RuleKeys, wanted: set[RuleValues]
    ) -> dict[RuleValues, list[str]]:
        sql = lookup_sql(keys, self.db.dialect)
        params = lookup_params(context.domain_id, context.workspace_id, wanted, len(keys), self.db.dialect)
        found: dict[RuleValues, list[str]] = defaultdict(list)
        for row in conn.exec_driver_sql(sql, params):
            # Read back in key_value form (SQLite returns JSON scalars typed): equal to what was asked, so no None.
            found[cast("RuleValues", tuple(key_value(v) for v in row[1:]))].append(row[0])
        return found

    def _write(self, conn: Connection, context: TaskContext, batch: _Batch) -> None:
        self._assets.insert(conn, list(batch.creates.values()))
        self._updates.update(conn, "asset_id", list(batch.updates.items()))
        for action, rows in (("CREATE", batch.creates), ("UPDATE", batch.updates)):
            record_changes(
                conn, action, ((asset_id, row["asset_type_id"]) for asset_id, row in rows.items()),
                context.domain_id, context.collector_id, context.job_id, context.job_task_id,
            )  # fmt: skip

    @staticmethod
    def _store_lookups(conn: Connection, context: TaskContext, lookups: list[Mapping[str, Any]]) -> None:
        if lookups:
            upsert_lookups(conn, context.domain_id, lookups)

    def after_task(self, conn: Connection, context: TaskContext) -> None:
        """After a successful task: what it did not see is disconnected, and deleted at the third miss."""
        mark_missing(conn, context)


def lock_rule_values(conn: Connection, context: TaskContext, candidates: Sequence[Candidate]) -> None:
    """Transaction-level advisory locks on every (domain, workspace, rule, values) the batch may match or
    create by, taken in sorted order so that two batches cannot deadlock."""
    keys = set()
    for found in candidates:
        for rule, values in zip(found.rules, found.values, strict=True):
            if values is not None:
                text = "\x1f".join([context.domain_id, context.workspace_id, *rule, "\x1e", *values])
                keys.add(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True))
    if keys:
        conn.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", (sorted(keys),)
        )
