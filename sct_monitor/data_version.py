"""The data version: a number that every write to the data advances, read in one query.

Triggers keep it, not application code, so no write can forget it: a bulk update, an import's
set-based SQL, the admin, a migration or a hand-run statement all advance it. On PostgreSQL the
trigger runs once per statement; SQLite has only row triggers, so there it runs once per row.

The bump happens inside the writing transaction, so a reader sees the new number only once the
new data is committed too. A page rendered after reading number N shows data at least as new as
N, which is what makes a cache keyed on it safe when several app servers share the database.
"""

from django.apps import apps
from django.db import connection, connections

from sct_monitor.models import DataVersion, IndicatorVersion, TableVersion

# Tables whose writes can change what a page shows: every table of the data apps and of this
# app (reports' narrative, import logs); the users whose names pages print; and the groups and
# permissions that make a role, so that what a user may see is cached on the version too.
WATCHED_APPS = ("kpis", "audits", "finance", "sct_monitor")
WATCHED_EXTRA_TABLES = (
    "auth_user",
    "auth_group",
    "auth_permission",
    "auth_user_groups",
    "auth_group_permissions",
    "auth_user_user_permissions",
)
# Only these columns' updates count (a sign-in updates last_login, which no page shows).
WATCHED_COLUMNS = {"auth_user": ("username", "is_superuser", "is_active")}
VERSION_ROW = 1
FUNCTION = "sct_advance_data_version"
TRIGGER = "sct_data_version"
INDICATOR_TRIGGER = "sct_indicator_version"
# A SQLite row trigger's stamp: 63 random bits, so that a number set back by a restored backup
# never comes round with the stamp it had (the clock, which PostgreSQL's triggers use, took a
# SQLite import a tenth of its time to read and format, twice a row).
SQLITE_STAMP = "abs(random())"
# Tables each of whose rows belongs to one indicator, with the column that names it: a write to
# them advances that indicator's version as well as the table's. Only tables whose rows change
# nothing of any other indicator's rows on a page: a DfE area figure can be another indicator's
# denominator, so ``kpis_areavalue`` is versioned as a whole table only.
INDICATOR_TABLES = {
    "kpis_indicator": "id",
    "kpis_monthlyvalue": "indicator_id",
    "kpis_publishedvalue": "indicator_id",
    "kpis_target": "indicator_id",
    "kpis_comparatorvalue": "indicator_id",
}


def watched_tables() -> list[str]:
    tables = {
        model._meta.db_table
        for app in WATCHED_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model not in (DataVersion, TableVersion, IndicatorVersion)
    }
    return sorted(tables | set(WATCHED_EXTRA_TABLES))


def versions() -> tuple[dict[str, str], dict[int, str | None]]:
    """Each watched table's version and each indicator's, as ``number@stamp``, read in one query
    (a page remembering what it read asks for both). An indicator no write has touched since the
    triggers were installed has no version.

    On PostgreSQL a version advances once a transaction, so within the transaction that wrote an
    indicator its later writes leave the number alone: to that transaction the indicator has no
    version (None), and nothing of it is remembered or given again there."""
    own = "transaction = txid_current_if_assigned()" if connection.vendor == "postgresql" else "0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, NULL, number, stamp, 0 = 1 FROM {TableVersion._meta.db_table} UNION ALL "
            f"SELECT NULL, indicator_id, number, stamp, {own} FROM {IndicatorVersion._meta.db_table}"
        )
        tables, indicators = {}, {}
        for name, indicator_id, number, stamp, written_here in cursor.fetchall():
            if name is not None:
                tables[name] = f"{number}@{stamp}"
            else:
                indicators[indicator_id] = None if written_here else f"{number}@{stamp}"
    return tables, indicators


def current_version() -> str | None:
    """The committed data version, as ``number@stamp``; None if its row is missing (a flushed
    test database). Pages read it with the access version (``page_versions``)."""
    versions = page_versions()
    return versions[0] if versions else None


# The tables a user's role and permissions are read from (``page_cache.access_of``).
ACCESS_TABLES = tuple(table for table in WATCHED_EXTRA_TABLES if table.startswith("auth_"))


def page_versions() -> tuple[str, str] | None:
    """The committed data version and the version of the users' roles and permissions (their
    tables' versions together), read in one query; None if the data version's row is missing.
    Plain SQL: it runs on every cached page, where the ORM's query building would be most of it.

    Without a row for every access table (a flushed test database) the access version is the
    data version itself, so what is kept on it is kept no longer than before."""
    placeholders = ", ".join(["%s"] * len(ACCESS_TABLES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT '', number, stamp FROM {DataVersion._meta.db_table} WHERE id = %s UNION ALL "
            f"SELECT name, number, stamp FROM {TableVersion._meta.db_table} WHERE name IN ({placeholders})",
            [VERSION_ROW, *ACCESS_TABLES],
        )
        rows = {name: f"{number}@{stamp}" for name, number, stamp in cursor.fetchall()}
    data = rows.pop("", None)
    if data is None:
        return None
    if len(rows) < len(ACCESS_TABLES):
        return data, data
    return data, ",".join(f"{name}={rows[name]}" for name in sorted(rows))


def postgresql_indicator_statements(tables: dict[str, str]) -> list[str]:
    """Statement triggers that advance the version of every indicator a statement's rows name,
    set-based from the statement's transition tables (PostgreSQL allows them one event a trigger)."""
    versions = IndicatorVersion._meta.db_table

    def advance(ids: str) -> str:
        # Distinct and in order: ON CONFLICT may touch a row once a statement, and two writers
        # taking the same indicators' rows in the same order cannot deadlock on them.
        # Once a transaction: a row this transaction advanced already is left as it is.
        return (
            f"INSERT INTO {versions} AS v (indicator_id, number, stamp, transaction) "
            f"SELECT id, 1, clock_timestamp()::text, txid_current() FROM ({ids}) ids "
            "WHERE id IS NOT NULL ORDER BY id "
            "ON CONFLICT (indicator_id) DO UPDATE SET number = v.number + 1, stamp = EXCLUDED.stamp, "
            "transaction = EXCLUDED.transaction WHERE v.transaction IS DISTINCT FROM EXCLUDED.transaction;"
        )

    statements = []
    for table, column in tables.items():
        function = f"{INDICATOR_TRIGGER}_{table}"
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    {advance(f"SELECT DISTINCT {column} AS id FROM new_rows")}
                ELSIF TG_OP = 'UPDATE' THEN
                    {advance(f"SELECT {column} AS id FROM new_rows UNION SELECT {column} FROM old_rows")}
                ELSIF TG_OP = 'DELETE' THEN
                    {advance(f"SELECT DISTINCT {column} AS id FROM old_rows")}
                ELSE
                    UPDATE {versions} SET number = number + 1, stamp = clock_timestamp()::text,
                    transaction = txid_current();
                END IF;
                RETURN NULL;
            END $$"""
        )
        for event, referencing in (
            ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
            ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
            ("TRUNCATE", ""),
        ):
            statements.append(
                f'CREATE OR REPLACE TRIGGER {INDICATOR_TRIGGER}_{event.lower()} AFTER {event} ON "{table}" '
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    return statements


def sqlite_indicator_advances(operation: str, column: str) -> str:
    """What a row trigger of an indicator table adds to advance its row's indicator (or, for an
    update, both rows' indicators): in the same trigger as the table's version, as a trigger of
    its own cost SQLite three times as much a row."""
    versions = IndicatorVersion._meta.db_table
    stamp = SQLITE_STAMP
    rows = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}[operation]
    return "".join(
        f"INSERT INTO {versions} (indicator_id, number, stamp) VALUES ({row}.{column}, 1, {stamp}) "
        "ON CONFLICT (indicator_id) DO UPDATE SET number = number + 1, stamp = excluded.stamp; "
        for row in rows
    )


def postgresql_statements(tables: list[str], with_tables: bool = True) -> list[str]:
    version_table, versions_table = DataVersion._meta.db_table, TableVersion._meta.db_table
    per_table = (
        f"UPDATE {versions_table} SET number = number + 1, stamp = clock_timestamp()::text "
        "WHERE name = TG_TABLE_NAME;"
        if with_tables
        else ""
    )
    statements = [
        f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {version_table} SET number = number + 1, stamp = clock_timestamp()::text
            WHERE id = {VERSION_ROW};
            {per_table}
            RETURN NULL;
        END $$"""
    ]
    for table in tables:
        columns = WATCHED_COLUMNS.get(table)
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        statements.append(
            f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
        )
    return statements


def sqlite_statements(
    tables: list[str], with_tables: bool = True, indicator_tables: dict[str, str] | None = None
) -> list[str]:
    version_table, versions_table = DataVersion._meta.db_table, TableVersion._meta.db_table
    stamp = SQLITE_STAMP
    statements = []
    for table in tables:
        columns = WATCHED_COLUMNS.get(table)
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        for operation in ("INSERT", update, "DELETE"):
            verb = operation.split()[0]
            name = f"{TRIGGER}_{table}_{verb.lower()}"
            statements.append(f'DROP TRIGGER IF EXISTS "{name}"')
            column = (indicator_tables or {}).get(table)
            statements.append(
                f'CREATE TRIGGER "{name}" AFTER {operation} ON "{table}" '
                f"BEGIN UPDATE {version_table} SET number = number + 1, stamp = {stamp} "
                f"WHERE id = {VERSION_ROW}; "
                + (
                    f"UPDATE {versions_table} SET number = number + 1, stamp = {stamp} "
                    f"WHERE name = '{table}'; "
                    if with_tables
                    else ""
                )
                + (sqlite_indicator_advances(verb, column) if column else "")
                + "END"
            )
    return statements


def install_triggers(using: str = "default") -> int:
    """Create (or replace) the version row and the triggers on every watched table that exists.

    Run after every migrate, so tables added later are watched too; safe to repeat.
    """
    conn = connections[using]
    existing = set(conn.introspection.table_names())
    if DataVersion._meta.db_table not in existing:
        return 0
    tables = [table for table in watched_tables() if table in existing]
    # Migrated back before the table versions' table: triggers that do not write it.
    with_tables = TableVersion._meta.db_table in existing
    # Migrated back before the indicator versions' table: no triggers that write it.
    indicator_tables = (
        {table: column for table, column in INDICATOR_TABLES.items() if table in existing}
        if IndicatorVersion._meta.db_table in existing
        else {}
    )
    if conn.vendor == "postgresql":
        statements = postgresql_statements(tables, with_tables)
        statements += postgresql_indicator_statements(indicator_tables)
    elif conn.vendor == "sqlite":
        statements = sqlite_statements(tables, with_tables, indicator_tables)
    else:
        raise NotImplementedError(f"no data-version triggers for {conn.vendor}")
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    DataVersion.objects.using(using).get_or_create(pk=VERSION_ROW)
    if with_tables:
        from sct_monitor.table_memo import new_stamp

        # A table's row must exist for its writes to be counted: one missing (a flushed test
        # database, before this runs again) makes what read that table unrememberable, not stale.
        TableVersion.objects.using(using).bulk_create(
            [TableVersion(name=table, stamp=new_stamp()) for table in tables], ignore_conflicts=True
        )
    if "kpis_indicator" in indicator_tables:
        from sct_monitor.table_memo import new_stamp

        # Indicators written before these triggers existed start with a row of their own too.
        with conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {IndicatorVersion._meta.db_table} (indicator_id, number, stamp) "
                "SELECT id, 0, %s FROM kpis_indicator WHERE true ON CONFLICT (indicator_id) DO NOTHING",
                [new_stamp()],
            )
    return len(tables)


def installed_trigger_tables() -> set[str]:
    """The tables that carry the trigger now (for checks and tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name = %s",
                [TRIGGER],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER}_%"],
            )
        return {row[0] for row in cursor.fetchall()}
