"""Sandbox benchmark: the same NumPy problem (``lstm-cell``, 10 tests) and the same PyTorch
problem (``vq-vae-loss``, with gradient checks) graded many times on the warm and on the
cold path.

Reports p50/p95 latency per submission (the whole ``grade_submission``: visible and
hidden tests in one sandbox run, ``runs/sub`` counts the runner's calls), submissions per second with two worker processes on
this 2-core machine, and peak memory per worker (the worker process, its zygotes, and the
per-job child's peak from the cgroup).  Writes ``bench/results/sandbox.json``.

When ``engine.grading.grade_submission`` or the curriculum files are missing, the
self-contained jobs of ``bench/solutions.py`` are used instead (reported as such).
Environment knobs: ``BENCH_QUICK=1`` for a short run.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
QUICK = bool(os.environ.get("BENCH_QUICK"))

PROBLEMS = {
    "lstm-cell": {"framework": "numpy", "warm_n": 200, "cold_n": 20},
    "vq-vae-loss": {"framework": "torch", "warm_n": 100, "cold_n": 6},
}
THROUGHPUT_SECONDS = 10.0
GOALS = {
    "lstm-cell warm p50 (ms)": ("<=", 15.0),
    "vq-vae-loss warm p50 (ms)": ("<=", 40.0),
    "vq-vae-loss cold/warm speed-up": (">=", 30.0),
    "lstm-cell submissions/s (2 workers)": (">=", 80.0),
}


def _percentile(values, q):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


class Submitter:
    """Grades one fixed, correct submission through a given sandbox mode."""

    def __init__(self, slug: str):
        self.slug = slug
        self.source = "engine"
        self.child_peaks_kb: list[int] = []
        self.jobs = 0
        try:
            from engine.grading import grade_submission, load_code_spec

            path = next(ROOT.glob(f"content/*/{slug}.yaml"))
            self.spec = load_code_spec(path)
            self.code = self.spec["solution"]
            self.grade = grade_submission
        except Exception as exc:  # noqa: BLE001 - fall back to the self-contained jobs
            from bench import solutions

            self.source = f"bench/solutions.py ({type(exc).__name__}: {exc})"
            self.job = solutions.lstm_job() if slug == "lstm-cell" else solutions.vq_job()
            self.grade = None

    def submit(self, mode: str) -> bool:
        from engine import sandbox

        def runner(job):
            r = sandbox.run(job, mode=mode)
            self.jobs += 1
            if r.peak_memory_kb:
                self.child_peaks_kb.append(r.peak_memory_kb)
            return r

        if self.grade is not None:
            result = self.grade(self.spec, self.code, runner=runner)
            return str(result.verdict) == "AC"
        from bench import solutions

        return solutions.check(self.job, runner(self.job))


def latency_rounds(slugs, mode: str, ns: dict, rounds: int) -> list[dict]:
    """Latency of each problem, measured in ``rounds`` interleaved rounds (so a burst of
    unrelated load on the machine does not land on one problem only)."""
    subs = {slug: Submitter(slug) for slug in slugs}
    times = {slug: [] for slug in slugs}
    round_p50 = {slug: [] for slug in slugs}
    for slug, s in subs.items():
        for _ in range(2 if mode == "warm" else 1):
            if not s.submit(mode):
                raise RuntimeError(f"{slug} ({mode}): the model solution was not accepted")
        s.jobs = 0
        s.child_peaks_kb.clear()
    cpu = {slug: [0.0, 0.0] for slug in slugs}  # trusted, zygote + children (s)
    for _ in range(rounds):
        for slug, s in subs.items():
            c0 = _cpu_now(mode)
            this = []
            for _ in range(max(1, ns[slug] // rounds)):
                t = time.perf_counter()
                ok = s.submit(mode)
                this.append(time.perf_counter() - t)
                if not ok:
                    raise RuntimeError(f"{slug} ({mode}): the model solution was not accepted")
            c1 = _cpu_now(mode)
            cpu[slug][0] += c1[0] - c0[0]
            cpu[slug][1] += c1[1] - c0[1]
            times[slug] += this
            round_p50[slug].append(_percentile(this, 0.5) * 1000)
    out = [_summary(slug, mode, subs[slug], times[slug], round_p50[slug]) for slug in slugs]
    for r in out:
        n = r["submissions"]
        r["cpu_ms_per_submission"] = {
            "trusted_process": cpu[r["problem"]][0] / n * 1000,
            "zygotes_and_children": cpu[r["problem"]][1] / n * 1000 if mode == "warm" else None,
        }
    return out


def _cpu_now(mode: str) -> tuple[float, float]:
    """CPU seconds used so far by this process, and by the warm zygotes with their reaped
    children (load-independent, unlike latency)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    mine = ru.ru_utime + ru.ru_stime
    if mode != "warm":
        return mine, 0.0
    from engine.sandbox import warm

    hz = os.sysconf("SC_CLK_TCK")
    theirs = 0.0
    for z in list(warm.pool().all):
        pid = z.slot.zygote_pid if z.slot else None
        if not pid:
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            theirs += sum(int(x) for x in fields[11:15]) / hz
        except OSError:
            pass
    return mine, theirs


def _summary(slug, mode, s, times, round_p50) -> dict:
    n = len(times)
    return {
        "problem": slug,
        "mode": mode,
        "source": s.source,
        "submissions": n,
        "sandbox_runs_per_submission": s.jobs / n,
        "p50_ms": _percentile(times, 0.5) * 1000,
        "p95_ms": _percentile(times, 0.95) * 1000,
        "mean_ms": statistics.fmean(times) * 1000,
        "child_peak_kb_p50": int(_percentile(s.child_peaks_kb, 0.5)) if s.child_peaks_kb else None,
        "child_peak_kb_max": max(s.child_peaks_kb) if s.child_peaks_kb else None,
        "round_p50_ms": round_p50,
        "best_round_p50_ms": min(round_p50) if round_p50 else None,
        "loadavg_after": os.getloadavg(),
    }


def _proc_mem_kb(pid: int) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    out["Pss"] = int(line.split()[1])
    except OSError:
        pass
    return out


def _worker(slug, mode, start_at, stop_at, queue):
    from engine.sandbox import warm

    s = Submitter(slug)
    for _ in range(3):
        s.submit(mode)
    while time.time() < start_at:
        time.sleep(0.001)
    n = 0
    s.jobs = 0
    while time.time() < stop_at:
        if not s.submit(mode):
            raise RuntimeError("not accepted")
        n += 1
    zygotes = []
    for z in warm.pool().all:
        if z.slot is not None and z.slot.zygote_pid:
            zygotes.append({"framework": z.framework, **_proc_mem_kb(z.slot.zygote_pid)})
    queue.put(
        {
            "submissions": n,
            "sandbox_runs": s.jobs,
            "worker_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "zygotes": zygotes,
            "child_peak_kb_max": max(s.child_peaks_kb) if s.child_peaks_kb else None,
        }
    )


def throughput(slug: str, mode: str = "warm", workers: int = 2, seconds: float = 10.0) -> dict:
    ctx = mp.get_context("spawn")  # like separate Celery worker processes: nothing shared
    queue = ctx.Queue()
    start_at = time.time() + (20 if slug == "vq-vae-loss" else 8)
    stop_at = start_at + seconds
    procs = [
        ctx.Process(target=_worker, args=(slug, mode, start_at, stop_at, queue))
        for _ in range(workers)
    ]
    for p in procs:
        p.start()
    reports = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    total = sum(r["submissions"] for r in reports)
    return {
        "problem": slug,
        "mode": mode,
        "workers": workers,
        "seconds": seconds,
        "submissions": total,
        "submissions_per_s": total / seconds,
        "sandbox_runs_per_s": sum(r["sandbox_runs"] for r in reports) / seconds,
        "per_worker": reports,
    }


def _machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "kernel": platform.release(),
        "loadavg_start": os.getloadavg(),
    }


def _goal_rows(res: dict) -> list[tuple[str, float, str, float, bool]]:
    lat = {(r["problem"], r["mode"]): r for r in res["latency"]}
    thr = {r["problem"]: r for r in res["throughput"]}
    got = {}
    if ("lstm-cell", "warm") in lat:
        got["lstm-cell warm p50 (ms)"] = lat[("lstm-cell", "warm")]["p50_ms"]
    if ("vq-vae-loss", "warm") in lat:
        got["vq-vae-loss warm p50 (ms)"] = lat[("vq-vae-loss", "warm")]["p50_ms"]
        if ("vq-vae-loss", "cold") in lat:
            got["vq-vae-loss cold/warm speed-up"] = (
                lat[("vq-vae-loss", "cold")]["p50_ms"] / lat[("vq-vae-loss", "warm")]["p50_ms"]
            )
    if "lstm-cell" in thr:
        got["lstm-cell submissions/s (2 workers)"] = thr["lstm-cell"]["submissions_per_s"]
    rows = []
    for name, (op, target) in GOALS.items():
        if name in got:
            v = got[name]
            rows.append((name, v, op, target, v <= target if op == "<=" else v >= target))
    return rows


def run() -> dict:
    from engine.sandbox import warm

    res = {
        "command": ".venv/bin/python -m bench sandbox",
        "machine": _machine(),
        "latency": [],
        "throughput": [],
    }
    scale = 0.2 if QUICK else 1.0
    for mode, rounds in (("warm", 5), ("cold", 2)):
        ns = {slug: max(rounds, int(cfg[f"{mode}_n"] * scale)) for slug, cfg in PROBLEMS.items()}
        print(f"  {mode}: {ns} submissions in {rounds} interleaved rounds ...", flush=True)
        res["latency"] += latency_rounds(list(PROBLEMS), mode, ns, rounds)
    warm.pool().shutdown()  # the throughput workers start their own
    for slug in PROBLEMS:
        print(
            f"  {slug:12s} throughput: 2 workers x {THROUGHPUT_SECONDS * scale:g} s ...", flush=True
        )
        res["throughput"].append(throughput(slug, seconds=THROUGHPUT_SECONDS * scale))
    res["machine"]["loadavg_end"] = os.getloadavg()
    res["goals"] = [
        {"goal": n, "value": v, "target": f"{op} {t:g}", "met": ok}
        for n, v, op, t, ok in _goal_rows(res)
    ]
    return res


def table(res: dict) -> str:
    lines = []
    lines.append(
        f"{'problem':12s} {'mode':5s} {'runs/sub':>8s} {'p50 ms':>9s} {'p95 ms':>9s} "
        f"{'best round p50':>14s} {'child peak MB':>13s}"
    )
    for r in res["latency"]:
        peak = r["child_peak_kb_max"]
        lines.append(
            f"{r['problem']:12s} {r['mode']:5s} {r['sandbox_runs_per_submission']:8.1f} "
            f"{r['p50_ms']:9.1f} {r['p95_ms']:9.1f} {r['best_round_p50_ms']:14.1f} "
            f"{(peak / 1024 if peak else float('nan')):13.1f}"
        )
    for r in res["latency"]:
        c = r.get("cpu_ms_per_submission") or {}
        if c.get("zygotes_and_children") is not None:
            lines.append(
                f"  {r['problem']} {r['mode']}: CPU per submission {c['trusted_process']:.1f} ms "
                f"(trusted process) + {c['zygotes_and_children']:.1f} ms (zygote and children)"
            )
    lines.append("")
    lines.append(
        f"{'problem':12s} {'workers':>7s} {'subs/s':>8s} {'runs/s':>8s} "
        f"{'worker MB':>10s} {'zygote PSS MB':>14s}"
    )
    for t in res["throughput"]:
        w = t["per_worker"]
        wmb = max(x["worker_maxrss_kb"] for x in w) / 1024
        pss = [z.get("Pss", 0) / 1024 for x in w for z in x["zygotes"]]
        lines.append(
            f"{t['problem']:12s} {t['workers']:7d} {t['submissions_per_s']:8.1f} "
            f"{t['sandbox_runs_per_s']:8.1f} {wmb:10.0f} {max(pss) if pss else float('nan'):14.0f}"
        )
    lines.append("")
    for g in res["goals"]:
        mark = "met" if g["met"] else "NOT met"
        lines.append(f"goal {g['goal']:40s} {g['value']:8.1f} (target {g['target']}): {mark}")
    m = res["machine"]
    lines.append(
        f"machine: {m['cpus']} cpus, load average {m['loadavg_start'][0]:.2f} at start, "
        f"{m['loadavg_end'][0]:.2f} at end"
    )
    return "\n".join(lines)


def main() -> None:
    res = run()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "sandbox.json"
    out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(table(res))
    print(f"written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
