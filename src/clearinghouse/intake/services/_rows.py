"""Plain SQL for intake's bulk writes: new rows with their ids, small rows, and links.

A batch writes thousands of rows. Through the ORM each small row's values are compiled
into SQL one by one, which costs more than the database's own work; and on PostgreSQL one
multi-row INSERT of large texts (the documents, their items) is slower than the same rows
sent as one prepared statement run for each (psycopg pipelines them). So: small rows go as
multi-row VALUES, large rows on PostgreSQL as `executemany` with ids taken from the table's
sequence beforehand. Values still go through each field's own preparation, so JSON and
dates are stored exactly as the ORM stores them, and every statement goes through Django's
cursor (so it is logged and counted like any query).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

_M = TypeVar("_M", bound=models.Model)
#: Parameters per statement: SQLite's smallest compile-time limit, as Django assumes.
_PARAMS = 999
#: Below this many new rows, one multi-row INSERT beats two statements.
_FEW = 20


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _chunks(rows: Sequence[Sequence[Any]], width: int) -> Iterable[Sequence[Sequence[Any]]]:
    step = max(1, _PARAMS // max(1, width))
    for start in range(0, len(rows), step):
        yield rows[start : start + step]


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert small rows of the given fields' values (skipping rule-breaking ones if asked)."""
    columns: list[Any] = [model._meta.get_field(name) for name in fields]
    prepared = [
        [f.get_db_prep_save(v, connection) for f, v in zip(columns, row, strict=True)]
        for row in rows
    ]
    one = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for chunk in _chunks(prepared, len(columns)):
            # Only names from the models' metadata are formatted in; every value is a parameter.
            sql = "INSERT INTO {} ({}) VALUES {}{}".format(  # noqa: S608
                _quote(model._meta.db_table),
                ", ".join(_quote(field.column) for field in columns),
                ", ".join([one] * len(chunk)),
                " ON CONFLICT DO NOTHING" if ignore_conflicts else "",
            )
            cursor.execute(sql, [value for row in chunk for value in row])


def set_values(model: type[models.Model], field: str, values: Iterable[tuple[int, Any]]) -> None:
    """Set one field of several rows, each to its own value: (primary key, value) pairs."""
    target: Any = model._meta.get_field(field)
    pk: Any = model._meta.pk
    prepared = [[key, target.get_db_prep_save(value, connection)] for key, value in values]
    table, column = _quote(model._meta.db_table), _quote(target.column)
    key_column = _quote(pk.column)
    with connection.cursor() as cursor:
        for chunk in _chunks(prepared, 2):
            # UPDATE … FROM (VALUES …): PostgreSQL, and SQLite since 3.33; both name the
            # columns of a VALUES list column1, column2.
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            sql = (
                f"UPDATE {table} SET {column} = v.column2 FROM (VALUES {rows}) AS v "  # noqa: S608
                f"WHERE {table}.{key_column} = v.column1"
            )
            cursor.execute(sql, [value for row in chunk for value in row])


def create(model: type[_M], objs: list[_M]) -> list[_M]:
    """Insert new model instances and set their ids, as `bulk_create` does, faster on PostgreSQL.

    PostgreSQL: the ids are taken from the table's sequence in one query, then the rows are
    inserted by one pipelined `executemany`. Other databases, and a few rows (where one
    statement is cheapest): `bulk_create`.
    """
    if connection.vendor != "postgresql" or len(objs) < _FEW:
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    pk: Any = meta.pk
    # Generated columns (the queue's sort keys) are the database's to fill.
    fields: list[Any] = [f for f in meta.concrete_fields if f is not pk and not f.generated]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        rows = []
        for obj, key in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, key)
            rows.append(
                [key, *(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)]
            )
        columns = ", ".join(_quote(f.column) for f in [pk, *fields])
        marks = ", ".join(["%s"] * (len(fields) + 1))
        cursor.executemany(
            f"INSERT INTO {_quote(meta.db_table)} ({columns}) VALUES ({marks})",  # noqa: S608
            rows,
        )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def add_counts(model: type[models.Model], counts: Iterable[tuple[str, int]]) -> None:
    """Add to the counts of a (key primary key, count) table, creating missing keys.

    Keys are written in sorted order, so two transactions adding to the same keys wait for
    each other instead of deadlocking.
    """
    pk: Any = model._meta.pk
    count: Any = next(f for f in model._meta.concrete_fields if f is not pk)
    table, key, value = _quote(model._meta.db_table), _quote(pk.column), _quote(count.column)
    rows = [[term, added] for term, added in sorted(counts) if added]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 2):
            sql = (
                f"INSERT INTO {table} ({key}, {value}) VALUES "  # noqa: S608
                f"{', '.join(['(%s, %s)'] * len(chunk))} "
                f"ON CONFLICT ({key}) DO UPDATE SET {value} = {table}.{value} + excluded.{value}"
            )
            cursor.execute(sql, [item for row in chunk for item in row])
