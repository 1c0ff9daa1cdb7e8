"""The operator's data format: valid exports load, bad ones get one line naming file, row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration import DataError, example_file, load_observations
from sim.calibration.data import MIN_DAYS, OBSERVABLES, model_observables
from tests.helpers import assert_one_line_error, invoke_cli


def _days(n: int, start: dt.date = dt.date(2025, 1, 1)) -> list[str]:
    return [(start + dt.timedelta(days=i)).isoformat() for i in range(n)]


def _csv(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _good(n: int = 20) -> list[str]:
    lines = ["date,members,joins,active"]
    lines += [f"{d},{100 + i},{5 + i % 3},{80 + i}" for i, d in enumerate(_days(n))]
    return lines


def _with(lines: list[str], row: int, text: str) -> str:
    """Replace file row `row` (header = 1) with `text`."""
    out = list(lines)
    out[row - 1] = text
    return "\n".join(out) + "\n"


D = _days(30)
# (id, file text, words the message must contain: file name is checked for every case)
CASES: list[tuple[str, str, list[str]]] = [
    ("unknown column", "date,members,joinz\n" + "\n".join(f"{d},1,1" for d in D), ["row 1", "column joinz", "'joins'"]),
    ("negative count", _with(_good(), 4, f"{D[2]},102,-3,82"), ["row 4", "column joins", "-3 is negative"]),
    ("fractional count", _with(_good(), 5, f"{D[3]},103.5,3,82"), ["row 5", "column members", "whole number"]),
    ("not a number", _with(_good(), 6, f"{D[4]},abc,3,82"), ["row 6", "column members", "'abc' is not a number"]),
    ("empty value", _with(_good(), 7, f"{D[5]},,3,82"), ["row 7", "column members", "empty value"]),
    ("bad date", _with(_good(), 3, "01/02/2025,101,3,81"), ["row 3", "column date", "YYYY-MM-DD"]),
    ("gap", "\n".join(_good()[:5] + _good()[6:]) + "\n", ["row 6", "column date", f"{D[4]} is missing"]),
    ("duplicate date", _with(_good(), 4, f"{D[1]},102,3,82"), ["row 4", "column date", "appears twice", "row 3"]),
    ("too few days", "\n".join(_good(MIN_DAYS - 1)) + "\n", [f"only {MIN_DAYS - 1} days", str(MIN_DAYS)]),
    ("no date column", "day,members\n1,2\n", ["row 1", "column day", "allowed columns"]),
    ("date column missing", "members,joins\n1,2\n", ["row 1", "no date column"]),
    ("no observable", "date,group\n2025-01-01,a\n", ["row 1", "no observable column"]),
    ("short row", _with(_good(), 8, f"{D[6]},106"), ["row 8", "2 cells", "4 columns"]),
    ("duplicate column", "date,members,members\n2025-01-01,1,1\n", ["row 1", "column members", "twice"]),
    ("empty file", "", ["empty file"]),
    ("header only", "date,members\n", ["no rows of data"]),
    ("active above members", _with(_good(), 9, f"{D[7]},107,3,500"), ["row 9", "column active", "members"]),
    (
        "sources above joins",
        "date,joins,joins_channel,joins_referral,joins_organic\n"
        + "\n".join(f"{d},5,{9 if i == 3 else 2},1,1" for i, d in enumerate(D)),
        ["row 5", "column joins", "by source"],
    ),
    (
        "group gap",
        "date,group,members\n"
        + "\n".join(f"{d},a,10" for d in D)
        + "\n"
        + "\n".join(f"{d},b,10" for i, d in enumerate(D) if i != 10),
        ["row 42", "column date", "of group b", f"{D[10]} is missing"],
    ),
    (
        "empty group",
        "date,group,members\n" + "\n".join(f"{d},{'' if i == 2 else 'a'},10" for i, d in enumerate(D)),
        ["row 4", "column group", "empty group"],
    ),
]


@pytest.mark.parametrize(("text", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_files_name_file_row_and_column(tmp_path: Path, text: str, words: list[str]) -> None:
    path = _csv(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_observations(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    for word in words:
        assert word in message, message


def test_binary_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataError, match="binary file"):
        load_observations(path)
    with pytest.raises(DataError, match="not found"):
        load_observations(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="directory"):
        load_observations(tmp_path)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("date,members\n2025-01-01,1\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match="row 3: is not UTF-8"):
        load_observations(latin)


def test_an_excel_export_with_bom_blank_lines_and_timestamps_loads(tmp_path: Path) -> None:
    lines = ["date,members,revenue"] + [f"{d} 00:00:00,{10 + i},{i * 0.5}" for i, d in enumerate(_days(20))]
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines[:5] + [""] + lines[5:]) + "\r\n\r\n").encode("utf-8"))
    obs = load_observations(path)
    assert obs.days == 20
    assert obs.start == dt.date(2025, 1, 1)
    assert obs.observables == ["members", "revenue"]
    assert obs.daily["revenue"].iloc[3] == 1.5


def test_rows_in_any_order_are_sorted_by_date(tmp_path: Path) -> None:
    lines = _good()
    path = _csv(tmp_path, "\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    obs = load_observations(path)
    assert list(obs.daily["members"]) == [100 + i for i in range(20)]
    assert list(obs.daily["day"]) == list(range(1, 21))


def test_groups_are_summed_by_date_and_may_start_later(tmp_path: Path) -> None:
    rows = ["date,group,members,active"]
    rows += [f"{d},a,{100 + i},50" for i, d in enumerate(D)]
    rows += [f"{d},b,10,5" for d in D[10:]]  # group b opened on day 11
    obs = load_observations(_csv(tmp_path, "\n".join(rows) + "\n"))
    assert obs.groups == ("a", "b")
    assert obs.days == 30
    assert obs.daily["members"].iloc[9] == 109
    assert obs.daily["members"].iloc[10] == 110 + 10
    assert obs.daily["active"].iloc[-1] == 55
    assert obs.by_group is not None and len(obs.by_group) == 50


def test_the_packaged_examples_load() -> None:
    community = load_observations(example_file("community"))
    assert community.days >= 60 and set(community.observables) >= {"members", "joins", "leaves", "active"}
    groups = load_observations(example_file("groups"))
    assert len(groups.groups) >= 2 and groups.observables == ["members", "active"]


def test_the_model_gives_every_observable() -> None:
    from sim import CommunityModel, load_scenario

    sc = load_scenario("baseline", overrides={"population.potential_pool": 600, "population.initial_members": 50})
    metrics = CommunityModel(sc, rng=1).run(15).metrics()
    obs = model_observables(metrics)
    assert list(obs.columns) == ["day", *OBSERVABLES]
    assert (obs["members"] == metrics["new"] + metrics["active"] + metrics["dormant"]).all()
    assert (obs["active"] <= obs["members"]).all()
    assert (obs["messages"] >= obs["ad_messages"]).all()
    joins = obs["joins_channel"] + obs["joins_referral"] + obs["joins_organic"]
    assert (joins == obs["joins"]).all()


def test_cli_bad_data_file_is_one_line_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, _with(_good(), 4, f"{D[2]},102,-3,82"))
    code, _, err = invoke_cli(
        ["fit", str(path), "--scenario", "baseline", "--param", "acquisition.referral_rate=0.01:0.05"], capsys
    )
    line = assert_one_line_error(code, err)
    assert f"{path}: row 4: column joins: -3 is negative" in line


def test_frame_round_trip(tmp_path: Path) -> None:
    frame = pd.read_csv(example_file("community"))
    frame.to_csv(tmp_path / "copy.csv", index=False)
    assert load_observations(tmp_path / "copy.csv").daily.equals(load_observations(example_file("community")).daily)
