"""Rule: an admin issues, lists and revokes client apps from the command line (`jiesu open311
issue / list / revoke`); the key is printed once and never listed. CliRunner against a SQLite
file of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from jiesu.cli import app
from jiesu.core import db as core_db
from jiesu.core.migrate import upgrade
from jiesu.open311 import service
from jiesu.open311.models import ApiClient
from tests.scratch_settings import scratch_sqlite


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_sqlite(tmp_path_factory.mktemp("open311_cli"), "cli.db") as url:
        upgrade(url)
        yield url


def test_an_admin_issues_lists_and_revokes_a_client_app(cli_db: str) -> None:
    runner = CliRunner()
    issued = runner.invoke(app, ["open311", "issue", "城市随手拍", "--contact", "ops@example.cn"])
    assert issued.exit_code == 0, issued.output
    api_key = issued.output.strip().splitlines()[-1]
    with core_db.session_scope() as session:
        assert service.authenticate(session, api_key).name == "城市随手拍"
        client_id = session.scalars(select(ApiClient.id)).one()
    listed = runner.invoke(app, ["open311", "list"])
    assert listed.exit_code == 0 and "城市随手拍" in listed.output and "有效" in listed.output
    assert api_key not in listed.output
    revoked = runner.invoke(app, ["open311", "revoke", str(client_id)])
    assert revoked.exit_code == 0, revoked.output
    assert "已停用" in runner.invoke(app, ["open311", "list"]).output
    with core_db.session_scope() as session:
        assert session.scalars(select(ApiClient)).one().revoked_at is not None
    missing = runner.invoke(app, ["open311", "revoke", "999"])
    assert missing.exit_code == 2 and "open311_client_not_found" in missing.output
    assert runner.invoke(app, ["open311", "issue", ""]).exit_code == 2
