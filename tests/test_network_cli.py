"""The network from the command line: edge lists named relative to the scenario file, network outputs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS, assert_one_line_error, invoke_cli

from sim import load_scenario
from sim.scenario import ScenarioError

POOL = 600


def _community(folder: Path, ties: str = "ties.csv") -> Path:
    """A scenario file in `folder` naming an edge list beside it (relative name), and the edge list."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    u, v = rng.integers(0, POOL, 6000), rng.integers(0, POOL, 6000)
    keep = u != v
    pd.DataFrame({"source": u[keep], "target": v[keep]}).to_csv(folder / "ties.csv", index=False)
    path = folder / "community.toml"
    path.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n'
        f"[population]\npotential_pool = {POOL}\ninitial_members = 60\n"
        f'[network]\nsource = "edge_list"\nedge_list = "{ties}"\n',
        encoding="utf-8",
    )
    return path


def test_edge_list_is_read_relative_to_the_scenario_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _community(tmp_path / "operator")
    monkeypatch.chdir(tmp_path)  # the edge list is not in the working directory
    sc = load_scenario(scenario)
    assert Path(sc.network.edge_list) == (tmp_path / "operator" / "ties.csv").resolve()


def test_an_extended_file_resolves_its_edge_list_from_its_own_folder(tmp_path: Path) -> None:
    parent = _community(tmp_path / "base")
    child = tmp_path / "whatif" / "child.toml"
    child.parent.mkdir()
    child.write_text(f'extends = "{os.path.relpath(parent, child.parent)}"\n[entry]\nfee = 9\n', encoding="utf-8")
    assert Path(load_scenario(child).network.edge_list) == (tmp_path / "base" / "ties.csv").resolve()


def test_a_missing_edge_list_names_the_scenario_file_and_key(tmp_path: Path) -> None:
    scenario = _community(tmp_path, ties="missing.csv")
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario)
    text = str(err.value)
    assert str(scenario) in text and "network.edge_list" in text and "missing.csv" in text


def test_bad_edge_list_rows_are_one_line_naming_scenario_key_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _community(tmp_path)
    (tmp_path / "ties.csv").write_text("source,target\n1,x\n", encoding="utf-8")
    code, _, err = invoke_cli(["run", str(scenario), "--days", "2", "--out", str(tmp_path / "out")], capsys)
    line = assert_one_line_error(code, err)
    assert "network.edge_list" in line and "ties.csv" in line and "row 1" in line and "'target'" in line


def test_run_writes_invitations_cascades_and_member_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = _community(tmp_path)
    out = tmp_path / "out"
    code, printed, err = invoke_cli(["run", str(scenario), "--days", "20", "--seed", "1", "--out", str(out)], capsys)
    assert code == 0, err
    assert "invitations.csv" in printed
    invitations = pd.read_csv(out / "invitations.csv")
    assert {"inviter", "invitee", "day", "accepted"} <= set(invitations.columns)
    assert len(invitations) > 0 and invitations["accepted"].any() and not invitations["accepted"].all()
    assert invitations["day"].between(1, 20).all()
    cascades = pd.read_csv(out / "cascades.csv")
    joined = invitations[invitations["joined"]]
    assert cascades["size"].sum() >= len(joined)  # every join by invitation sits in a tree
    members = pd.read_csv(out / "network.csv")
    assert (members["friends_in_group"] <= members["degree"]).all()
    assert members["messages"].sum() == pd.read_csv(out / "metrics.csv")["messages"].sum()


def test_well_mixed_run_writes_no_network_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(
        [
            "run",
            str(SCENARIOS / "baseline.toml"),
            "--days",
            "3",
            "--set",
            "population.potential_pool=500",
            "--set",
            "population.initial_members=50",
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert code == 0, err
    assert not (tmp_path / "invitations.csv").exists()


def test_incremental_ties_of_a_weighted_edge_list_equal_a_full_recount(tmp_path: Path) -> None:
    from sim import CommunityModel
    from sim.population import DORMANT

    scenario = _community(tmp_path)
    ties = pd.read_csv(tmp_path / "ties.csv")
    ties["weight"] = np.random.default_rng(1).uniform(0.2, 3.0, len(ties))
    ties.to_csv(tmp_path / "ties.csv", index=False)
    sc = load_scenario(scenario)
    model = CommunityModel(sc, rng=2).run(25)
    friendships, people = model.friendships, model.people
    assert friendships is not None and friendships.graph.weights is not None
    friendships.bind(None)  # type: ignore[arg-type]  # bring the ties up to the end of the last day
    rows = people.members()
    weight = np.zeros(people.size)
    weight[rows] = np.where(people.stage[rows] == DORMANT, sc.activity.dormant_exposure, 1.0)
    recount = friendships.graph.sum_in_label(rows, people.group[rows], people.group, weight)
    np.testing.assert_allclose(friendships._friend_ties[rows], recount, rtol=1e-9, atol=1e-9)
