"""Engine benchmark: throughput, memory per member, and vectorized vs agent-by-agent speed.

Each measurement runs in a fresh Python process so that peak memory (max RSS) is its
own. The community is the baseline scenario scaled to N founding members: a pool of
3N people, channel inflow N/25 a day, a KOL per 250 and an admin per 500 members; it
grows, then shrinks as the pool runs dry, and averages about N members over 365 days.

    python benchmarks/bench_engine.py [--quick] [--out benchmarks/results.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


def scaled_overrides(members: int) -> dict[str, object]:
    """The baseline scaled to `members` founding members."""
    return {
        "population.potential_pool": 3 * members,
        "population.initial_members": members,
        "acquisition.channel_inflow_per_day": members / 25,
        "roles.kols": max(2, members // 250),
        "roles.admins": max(1, members // 500),
    }


def leave_out_new_records() -> None:
    """Make the end-of-day records that 13c2c7a did not keep do nothing: the per-group record, ISOOC, the data system.

    The records came with issues 15 and 16 (groups.csv, the ISOOC score, data_system.csv);
    leaving them out prices the rest of the day, the same work as the code before issue 12 did.
    """
    import sim.model
    from sim.data_system import DataSystem

    sim.model.group_metrics.record_groups = lambda model, day: {}  # type: ignore[assignment]
    sim.model.group_metrics.community_isooc = lambda groups, opened_day: {}  # type: ignore[assignment]
    DataSystem.record = lambda self, day: None  # type: ignore[method-assign]


#: what `measure` can leave out of this code's runs, to compare like with like: the label's suffix and its flag
LEAVE_OUT = {
    "new_records": "the per-group record, ISOOC and the data system, which 13c2c7a did not keep",
    "data_system": "the data system, which b69fbcc did not keep and experiments' runs go without (data_system=False)",
}


def measure(members: int, days: int, engine: str, code: Path = ROOT, leave_out: str | None = None) -> dict[str, float]:
    """Run one model of the package in `code` in this process and report time, member-days and peak memory.

    Time is reported twice: wall-clock seconds, and the CPU seconds of this process,
    which other work on a shared machine disturbs much less. `leave_out`: a key of `LEAVE_OUT`.
    """
    sys.path.insert(0, str(code))
    from sim import CommunityModel, load_scenario

    if leave_out == "new_records":
        leave_out_new_records()
    options = {"data_system": False} if leave_out == "data_system" else {}

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sc = load_scenario(BASELINE, overrides=scaled_overrides(members))
    t0 = time.perf_counter()
    model = CommunityModel(sc, rng=1, engine=engine, **options)
    t1, c1 = time.perf_counter(), time.process_time()
    model.run(days)
    t2, c2 = time.perf_counter(), time.process_time()
    df = model.metrics()
    peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    member_days = float(df["members"].sum())
    return {
        "members": members,
        "engine": engine,
        "days": days,
        "setup_seconds": t1 - t0,
        "run_seconds": t2 - t1,
        "run_cpu_seconds": c2 - c1,
        "member_days": member_days,
        "mean_members": member_days / days,
        "member_days_per_second": member_days / (t2 - t1),
        "peak_rss_mb": peak_rss_kb / 1024,
        "model_rss_mb": (peak_rss_kb - base_rss) / 1024,
        "bytes_per_member": (peak_rss_kb - base_rss) * 1024 / max(1.0, float(df["members"].max())),
        "bytes_per_person": (peak_rss_kb - base_rss) * 1024 / (3 * members),
    }


def in_subprocess(
    members: int, days: int, engine: str, code: Path = ROOT, leave_out: str | None = None
) -> dict[str, float]:
    """Run `measure` in a fresh Python process, on the package in `code`."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(members), str(days), engine, "--code", str(code)]
        + ([] if leave_out is None else ["--leave-out", leave_out]),
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"bench_engine: the run of {members} members x {days} days on {code} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def side_by_side(
    olds: dict[str, Path],
    out: Path,
    members: int = 100_000,
    days: int = 365,
    rounds: int = 3,
    leave_out: tuple[str, ...] = (),
) -> dict[str, object]:
    """Time this code and each older checkout in `olds` (label -> path) in alternating fresh processes.

    Each round runs every code once, in turn, so that load on a shared machine falls on
    all of them alike; the ratios compare the best of `rounds` CPU (and wall) seconds.
    Each of `leave_out` (keys of `LEAVE_OUT`) adds this code with that part left out,
    labelled "now_without_<key>".
    """
    variants = {f"now_without_{name}": name for name in leave_out}
    codes = {"now": ROOT, **dict.fromkeys(variants, ROOT), **olds}
    times: dict[str, list[float]] = {label: [] for label in codes}
    cpu: dict[str, list[float]] = {label: [] for label in codes}
    member_days: dict[str, float] = {}
    for _ in range(rounds):
        for label, code in codes.items():
            r = in_subprocess(members, days, "vectorized", code, variants.get(label))
            times[label].append(r["run_seconds"])
            cpu[label].append(r["run_cpu_seconds"])
            member_days[label] = r["member_days"]
    result: dict[str, object] = {
        "members": members,
        "days": days,
        "rounds": rounds,
        "codes": {label: str(code) for label, code in codes.items()},
        "member_days": member_days,
        "seconds": times,
        "cpu_seconds": cpu,
        "member_days_per_cpu_second": {label: member_days[label] / min(cpu[label]) for label in codes},
        "ratio_now_over": {label: min(times["now"]) / min(times[label]) for label in olds},
        "cpu_ratio_now_over": {label: min(cpu["now"]) / min(cpu[label]) for label in olds},
    }
    for variant in variants:
        result[f"cpu_ratio_{variant}_over"] = {label: min(cpu[variant]) / min(cpu[label]) for label in olds}
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer days (a smoke run)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument(
        "--against",
        action="append",
        default=[],
        metavar="[LABEL=]PATH",
        help="a checkout of older code (repeatable): time it side by side with this code (--members, --days)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --against: alternating runs of each")
    parser.add_argument("--members", type=int, default=100_000, help="with --against: founding members")
    parser.add_argument("--days", type=int, default=365, help="with --against: days of each run")
    parser.add_argument(
        "--without-new-records",
        action="store_true",
        help=f"with --against: also time this code without {LEAVE_OUT['new_records']}",
    )
    parser.add_argument(
        "--without-data-system",
        action="store_true",
        help=f"with --against: also time this code without {LEAVE_OUT['data_system']}",
    )
    parser.add_argument("--leave-out", choices=sorted(LEAVE_OUT), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        members, days, engine = int(args.child[0]), int(args.child[1]), args.child[2]
        print(json.dumps(measure(members, days, engine, args.code, args.leave_out)))
        return
    if args.against:
        olds = dict(a.split("=", 1) if "=" in a else ("before", a) for a in args.against)
        paths = {label: Path(path) for label, path in olds.items()}
        if args.members < 1 or args.days < 1:
            parser.error(f"--members and --days must be >= 1, got {args.members} and {args.days}")
        out = args.out.with_name(f"side_by_side_{args.members}x{args.days}.json")
        leave_out = tuple(name for name in LEAVE_OUT if getattr(args, f"without_{name}"))
        side_by_side(paths, out, args.members, args.days, args.rounds, leave_out)
        return

    if args.quick:
        plan = [(1_000, 365), (10_000, 365), (100_000, 60)]
        ratio_members, ratio_days = 2_000, 30
    else:
        plan = [(1_000, 365), (10_000, 365), (100_000, 365), (1_000_000, 365)]
        ratio_members, ratio_days = 10_000, 60
    runs = []
    for members, days in plan:
        r = in_subprocess(members, days, "vectorized")
        runs.append(r)
        print(
            f"vectorized {members:>9,} members x {days} days: {r['run_seconds']:7.2f} s, "
            f"{r['member_days_per_second'] / 1e6:5.2f} M member-days/s, peak {r['peak_rss_mb']:7.0f} MB, "
            f"{r['bytes_per_member']:6.0f} B/member",
            flush=True,
        )
    vec = in_subprocess(ratio_members, ratio_days, "vectorized")
    agents = in_subprocess(ratio_members, ratio_days, "agents")
    ratio = vec["member_days_per_second"] / agents["member_days_per_second"]
    print(
        f"at {ratio_members:,} members x {ratio_days} days: vectorized "
        f"{vec['member_days_per_second'] / 1e6:.2f} M/s, agents {agents['member_days_per_second'] / 1e3:.1f} k/s, "
        f"ratio {ratio:.0f}x",
        flush=True,
    )
    result = {
        "benchmark": "engine",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor(),
            "cores": __import__("os").cpu_count(),
        },
        "quick": args.quick,
        "scenario": "baseline.toml scaled: " + json.dumps(scaled_overrides(1)).replace("1", "N"),
        "throughput": runs,
        "engine_ratio": {
            "members": ratio_members,
            "days": ratio_days,
            "vectorized": vec,
            "agents": agents,
            "speedup": ratio,
        },
        "targets": {
            "member_days_per_second_at_100k": 5e6,
            "seconds_for_365_days_at_100k": 8,
            "speedup_vs_agents_at_10k": 30,
            "seconds_for_1m_members": 180,
            "peak_rss_mb_at_1m": 2560,
        },
    }
    _print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"written {args.out}")


def _print_table(result: dict) -> None:
    print()
    print(f"{'members':>10} {'days':>5} {'run s':>8} {'M mday/s':>9} {'peak MB':>8} {'B/member':>9}")
    for r in result["throughput"]:
        print(
            f"{r['members']:>10,} {r['days']:>5} {r['run_seconds']:>8.2f} {r['member_days_per_second'] / 1e6:>9.2f} "
            f"{r['peak_rss_mb']:>8.0f} {r['bytes_per_member']:>9.0f}"
        )
    e = result["engine_ratio"]
    print(f"vectorized / agents at {e['members']:,} members: {e['speedup']:.0f}x")


if __name__ == "__main__":
    main()
