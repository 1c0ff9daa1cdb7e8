"""The interactive view without a browser: the model adapter, Mesa's reset path, rendering, the CLI.

`VizCommunity` must be `CommunityModel` plus levers and a DataCollector, nothing else:
the same scenario and seed give the same run. Mesa's SolaraViz rebuilds the model on
Reset from `model_params`, exercised here through Mesa's own helpers; the view is
rendered in-process with Solara and stepped with its Step button. `community-sim viz`
validates its input and hands the Solara server the right command, host and port.
The browser itself is tests/test_viz_browser.py.
"""

from __future__ import annotations

import importlib.util
import json
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import assert_one_line_error, invoke_cli

from sim import CommunityModel, cli, load_scenario
from sim.viz.model import LEVERS, REPORTERS, VizCommunity, lever_defaults, lever_overrides

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
SMALL = {"population.potential_pool": 2000, "population.initial_members": 50}

needs_solara = pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="the viz extra is not installed")


# ---------------------------------------------------------------- the model adapter


def test_levers_set_the_scenario() -> None:
    levers = {
        "entry_threshold": "paid",
        "entry_fee": 30.0,
        "kol_posts_per_day": 4.0,
        "ad_policy": "kick",
        "admins": 2,
        "capacity": 100,
        "split_policy": "dunbar",
        "channel_inflow": 50.0,
        "referral_rate": 0.05,
    }
    m = VizCommunity(BASELINE, SMALL, rng=3, **levers)
    sc = m.params
    assert (sc.entry.threshold, sc.entry.fee, sc.output.kol_posts_per_day, sc.moderation.ad_policy) == (
        "paid",
        30.0,
        4.0,
        "kick",
    )
    assert (sc.roles.admins, sc.groups.capacity, sc.groups.split_policy) == (2, 100, "dunbar")
    assert (sc.acquisition.channel_inflow_per_day, sc.acquisition.referral_rate) == (50.0, 0.05)
    assert sc.population.potential_pool == 2000  # the base overrides stay
    assert m.levers == levers
    assert len(m.admins) == 2


def test_fee_is_passed_on_only_with_a_paid_threshold() -> None:
    assert lever_overrides(entry_threshold="free", entry_fee=30.0) == {"entry.threshold": "free"}
    assert lever_overrides(entry_threshold="paid", entry_fee=30.0) == {"entry.threshold": "paid", "entry.fee": 30.0}
    assert lever_overrides(admins=None) == {}
    with pytest.raises(TypeError, match="unknown lever"):
        lever_overrides(fee=3)
    # a scenario without a fee shows a usable fee on the slider; a paid one shows its own
    assert lever_defaults(load_scenario(BASELINE))["entry_fee"] > 0
    paid = load_scenario(ROOT / "scenarios" / "paid_entry.toml")
    assert lever_defaults(paid)["entry_fee"] == paid.entry.fee


def test_same_run_as_the_core_model() -> None:
    """The adapter adds a DataCollector and nothing else: same scenario and seed, same days."""
    levers = {"kol_posts_per_day": 3.0, "ad_policy": "tolerate", "channel_inflow": 40.0}
    viz = VizCommunity(BASELINE, SMALL, rng=11, **levers)
    core = CommunityModel(load_scenario(BASELINE, overrides={**SMALL, **lever_overrides(**levers)}), rng=11)
    viz.run(30)
    core.run(30)
    pd.testing.assert_frame_equal(viz.metrics(), core.metrics())


def test_datacollector_records_day_zero_and_every_step() -> None:
    m = VizCommunity(BASELINE, SMALL, rng=5)
    m.run(12)
    df = m.datacollector.get_model_vars_dataframe()
    daily = m.metrics()
    assert list(df.columns) == list(REPORTERS)
    assert len(df) == 13  # day 0 and days 1..12
    assert df.loc[0, "members"] == df.loc[0, "new"] + df.loc[0, "active"] + df.loc[0, "dormant"] == 50
    assert df.loc[0, "messages"] == 0 and df.loc[0, "groups"] == 1
    for ours, theirs in (
        ("new", "new"),
        ("active", "active"),
        ("dormant", "dormant"),
        ("members", "members"),
        ("messages", "messages"),
        ("ads", "ad_messages"),
        ("ads removed", "ads_removed"),
        ("groups", "groups"),
        ("largest group", "max_group_size"),
    ):
        np.testing.assert_array_equal(df[ours].to_numpy()[1:], daily[theirs].to_numpy(), err_msg=ours)
    np.testing.assert_array_equal(df["gone"].to_numpy()[1:], (daily["left"] + daily["kicked"]).to_numpy())


def test_run_stops_after_the_scenario_days() -> None:
    m = VizCommunity(BASELINE, {**SMALL, "run.days": 4})
    m.run(3)
    assert m.running
    m.step()
    assert not m.running and m.steps == 4


def test_bad_levers_are_scenario_errors() -> None:
    from sim import ScenarioError

    with pytest.raises(ScenarioError, match="ad_policy"):
        VizCommunity(BASELINE, SMALL, ad_policy="shout")


# ---------------------------------------------------------------- Mesa's SolaraViz


@needs_solara
def test_model_params_drive_mesa_reset() -> None:
    """Mesa accepts the controls, and its Reset rebuilds the model with a changed lever."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params, split_model_params

    from sim.viz.app import model_params

    params = model_params(BASELINE, SMALL, rng=4)
    model = VizCommunity(BASELINE, SMALL, 4)
    _check_model_params(model, params)
    controls, fixed = split_model_params(params)
    assert set(fixed) == {"scenario_path", "base_overrides"}
    assert set(controls) == {"rng", *LEVERS}
    values = {**fixed, **{k: v["value"] for k, v in controls.items()}}
    assert values["rng"] == 4 and values["channel_inflow"] == 20.0 and values["ad_policy"] == "warn_then_kick"
    values.update(admins=3, split_policy="dunbar")
    kwargs = _build_model_init_kwargs(model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True)
    rebuilt = type(model)(**kwargs)
    assert rebuilt.params.roles.admins == 3 and rebuilt.params.groups.split_policy == "dunbar"
    assert rebuilt.params.population.potential_pool == 2000


@needs_solara
def test_controls_start_at_the_scenario_values() -> None:
    from sim.viz.app import model_params

    params = model_params(BASELINE, {**SMALL, "groups.capacity": 2000, "output.kol_posts_per_day": 3.5}, rng=None)
    assert params["capacity"]["value"] == 2000 and params["capacity"]["max"] == 2000  # the range widens
    assert params["kol_posts_per_day"]["value"] == 3.5
    assert params["rng"]["value"] == load_scenario(BASELINE).run.seed
    assert params["entry_threshold"]["values"] == list(LEVERS["entry_threshold"].choices)
    for name, spec in params.items():
        if isinstance(spec, dict) and "min" in spec:
            assert spec["min"] <= spec["value"] <= spec["max"], name


@needs_solara
def test_view_renders_and_steps_in_process() -> None:
    """Render the whole view with Solara (no browser), click Step twice and Reset."""
    import ipyvuetify as v
    import ipywidgets
    import solara

    from sim.viz.app import CommunityView, model_params

    params = model_params(BASELINE, SMALL, rng=2)
    model = VizCommunity(BASELINE, SMALL, 2)

    @solara.component
    def App() -> None:  # noqa: N802 (a Solara component: PascalCase)
        with solara.AppLayout():  # SolaraViz puts its controls into the app's sidebar
            CommunityView(model, params)

    box, rc = solara.render(App(), handle_error=False)
    try:
        assert len(rc.find(ipywidgets.Image).widgets) == 3  # two Mesa plots and the groups plot
        step = rc.find(v.Btn, children=["Step"])
        step.assert_single()
        step.widget.click()
        step.widget.click()
        assert model.steps == 2
        assert len(model.datacollector.get_model_vars_dataframe()) == 3
        rc.find(children=["Time: 2.0"]).assert_single()
        rc.find(v.Btn, children=["Reset"]).widget.click()
        rc.find(children=["Time: 0.0"]).assert_single()  # a new model from day 0
        assert model.steps == 2  # the old one is left as it was
    finally:
        rc.close()


def test_page_reads_the_cli_hand_over(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("solara")
    from sim.viz import app

    monkeypatch.setenv(app.ENV_SCENARIO, str(BASELINE))
    monkeypatch.setenv(app.ENV_OVERRIDES, json.dumps({"population.potential_pool": "2000"}))
    monkeypatch.setenv(app.ENV_SEED, "9")
    assert app._start_from_environment() == {
        "scenario_path": str(BASELINE),
        "overrides": {"population.potential_pool": "2000"},
        "rng": 9,
    }
    monkeypatch.setenv(app.ENV_SEED, "")
    assert app._start_from_environment()["rng"] is None


# ---------------------------------------------------------------- community-sim viz


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    """Capture what `viz` would exec instead of starting a server."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(cli, "serve", lambda argv, env: calls.append((argv, env)))
    return calls


@needs_solara
def test_viz_serves_on_loopback_by_default(served, capsys) -> None:
    code, out, err = invoke_cli(
        ["viz", str(BASELINE), "--port", "0", "--set", "population.potential_pool=2000", "--seed", "4"], capsys
    )
    assert code == 0, err
    ((argv, env),) = served
    assert argv[1:5] == ["-m", "solara", "run", "sim.viz.app:Page"]
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    port = int(argv[argv.index("--port") + 1])
    assert port > 0  # --port 0 picks a free one
    assert {"--no-open", "--no-check-version", "--production"} <= set(argv)
    assert env["COMMUNITY_SIM_VIZ_SCENARIO"] == str(BASELINE.resolve())
    assert json.loads(env["COMMUNITY_SIM_VIZ_OVERRIDES"]) == {"population.potential_pool": "2000"}
    assert env["COMMUNITY_SIM_VIZ_SEED"] == "4"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert f"http://127.0.0.1:{port}" in out
    assert err == ""


@needs_solara
def test_viz_other_interfaces_only_with_host(served, capsys) -> None:
    code, out, err = invoke_cli(["viz", "--port", "0", "--host", "0.0.0.0"], capsys)
    assert code == 0, err
    ((argv, env),) = served
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert "reachable from other machines" in err
    assert env["COMMUNITY_SIM_VIZ_SCENARIO"].endswith("baseline.toml")  # the default scenario


@needs_solara
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["viz", "nope.toml"], "not found"),
        (["viz", "--set", "moderation.ad_policy=shout"], "ad_policy"),
        (["viz", "--set", "oops"], "KEY=VALUE"),
        (["viz", "--port", "70000"], "--port"),
        (["viz", "--seed", "-1"], "--seed"),
        (["viz", "--host", "no.such.host.invalid"], "--host"),
    ],
)
def test_viz_bad_input_is_one_line(served, capsys, args: list[str], expected: str) -> None:
    code, _, err = invoke_cli(args, capsys)
    assert expected in assert_one_line_error(code, err)
    assert served == []


@needs_solara
def test_viz_port_in_use_is_one_line(served, capsys) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = invoke_cli(["viz", "--port", str(port)], capsys)
    assert f"cannot listen on 127.0.0.1:{port}" in assert_one_line_error(code, err)
    assert served == []


def test_viz_without_the_extra_says_how_to_install(served, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a))
    code, _, err = invoke_cli(["viz"], capsys)
    assert "pip install -e '.[viz]'" in assert_one_line_error(code, err)
    assert served == []
