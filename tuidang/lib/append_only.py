"""Append-only tables: a PostgreSQL trigger that refuses UPDATE and DELETE, so neither a
bug nor anyone reaching SQL through the application can rewrite the record. Migrations
call these; SQLite (the embedded default) goes without.

TRUNCATE is left to privileges (the test runner's flush truncates every table); a
deployment that wants it closed too revokes TRUNCATE from the application's role."""


def _function(table: str) -> str:
    return f"{table}_append_only"


def forbid_changes(table: str):
    """A RunPython operation's forward function that installs the trigger."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        function = _function(table)
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '%% is append-only: %% refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {function}_row BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {function}();
            """,
            params=(),
        )

    return forwards


def allow_changes(table: str):
    """The reverse: drop the trigger and its function."""

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        function = _function(table)
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {function}_row ON {table}; "
            f"DROP FUNCTION IF EXISTS {function}();"
        )

    return backwards
