"""A server store made by an older release (a table missing a column added since) is brought to the schema by the
next load, instead of failing on the missing column."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.store import load
from dashboard.store.schema import data_version, mart_payment_month, metadata


def test_a_table_with_other_columns_is_dropped_and_the_rest_kept(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/old.sqlite")  # a server store: DuckDB gets a new file per load
    with engine.begin() as conn:
        metadata.create_all(conn)
        mart_payment_month.drop(conn)
        old = sa.Table("mart_payment_month", sa.MetaData(), *(c.copy() for c in mart_payment_month.columns))
        old.append_column(sa.Column("retired", sa.Integer))  # a shape this release does not know
        old.create(conn)
        conn.execute(
            data_version.insert().values(
                load_id=1,
                loaded_at=sa.func.now(),
                source="x",
                province_code="x",
                data_through=sa.func.current_date(),
                note="",
            )
        )
        load._drop_drifted(conn)
        tables = set(sa.inspect(conn).get_table_names())
        assert "mart_payment_month" not in tables
        assert tables == {t.name for t in metadata.sorted_tables} - {"mart_payment_month"}
        assert conn.execute(sa.select(sa.func.count()).select_from(data_version)).scalar_one() == 1
    engine.dispose()
