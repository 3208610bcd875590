"""Side-by-side timing of skmlp's and scikit-learn's multi-layer perceptrons.

Usage::

    python benchmarks/bench_mlp.py [--workloads W1,W3] [--dtypes float32,float64]
                                   [--repeats N] [--quick] [--threads T[,T...]]
                                   [--load K] [--json out.json] [--tracemalloc]

Every fit runs in a fresh child process (this script with ``--worker``), and
the two implementations alternate (sk, skmlp, sk, skmlp, ...) so that slow
drifts of a shared machine hit both alike. Children get the same number of
BLAS/OpenMP threads. Per-epoch times come from the timestamps of the
``Iteration N, loss = ...`` lines both estimators print with ``verbose=True``.
See ``benchmarks/README.md`` for what each column means.

``--threads 1,2 --load K`` measures every combination of the thread counts
with the machine as it is and with K busy-looping sibling processes running
(``_load.py``), and ends with one table of them side by side.

``--candidate sklearn.neural_network`` puts scikit-learn on both sides, a
sanity check of the harness itself (all ratios should be close to 1).
"""

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _load import busy_siblings  # noqa: E402
from _workloads import WORKLOADS  # noqa: E402

REFERENCE = "sklearn.neural_network"
RESULT_MARKER = "BENCH_RESULT "
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
CORETYPE_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
CHILD_TIMEOUT = 3600


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
def parse_args(argv=None):
    """Parse the command line; ``--quick`` only changes the defaults."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help="comma-separated subset of %(default)s")
    parser.add_argument("--dtypes", default="float32,float64",
                        help="comma-separated, default %(default)s")
    parser.add_argument("--repeats", type=int, default=None,
                        help="fits per implementation and workload "
                             "(default 3, or 1 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="one repeat and fewer rows for W1, W2 and W4")
    parser.add_argument("--threads", default="2",
                        help="BLAS/OpenMP threads in every child (default 2); "
                             "a comma-separated list measures each")
    parser.add_argument("--load", type=int, default=0, metavar="K",
                        help="also measure everything with K busy-looping sibling "
                             "processes running (one per core: a busy machine)")
    parser.add_argument("--unset-openblas-coretype", action="store_true",
                        help="remove OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE "
                             "from the children's environment")
    parser.add_argument("--candidate", default="skmlp",
                        help="module providing the compared MLPClassifier and "
                             "MLPRegressor (default %(default)s)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure the tracemalloc peak of a one-epoch "
                             "fit, in extra untimed children")
    parser.add_argument("--seed", type=int, default=0, help="data seed")
    parser.add_argument("--json", metavar="PATH", help="save raw results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    args.workloads = args.workloads.split(",")
    args.threads = [int(n) for n in args.threads.split(",")]
    args.dtypes = args.dtypes.split(",")
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown or not set(args.dtypes) <= {"float32", "float64"}:
        parser.error(f"unknown workloads {sorted(unknown)} or dtypes {args.dtypes}")
    return args


# --------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------
def child_environment(threads, unset_coretype):
    """The parent's environment with the thread counts pinned."""
    env = dict(os.environ)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    if unset_coretype:
        for name in CORETYPE_VARIABLES:
            env.pop(name, None)
    return env


def run_child(job, env, script=__file__, python=sys.executable):
    """Run one job in a fresh interpreter and return its JSON result.

    ``script`` is the benchmark whose ``--worker`` runs the job (this one by
    default), ``python`` the interpreter (another virtual environment's for
    a method installed there). A failing child does not stop the benchmark:
    its result is ``{"error": ...}`` with the tail of its stderr, and the
    report says so.
    """
    command = [python, os.path.abspath(script), "--worker", json.dumps(job)]
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True,
                                   timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT} s"}
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER):])
            result["child_seconds"] = time.perf_counter() - started
            return result
    tail = completed.stderr.strip().splitlines()[-3:]
    return {"error": f"exit {completed.returncode}: " + " | ".join(tail)}


def worker_main(job_text, run_job=None):
    """Entry point of a child: run the job, print the result on one line."""
    if run_job is None:
        from _worker import run_job

    result = run_job(json.loads(job_text))
    sys.stdout.write(RESULT_MARKER + json.dumps(result) + "\n")


# --------------------------------------------------------------------------
# One (workload, dtype) cell
# --------------------------------------------------------------------------
def _progress(message):
    """Progress goes to stderr so stdout holds only the header and the tables."""
    print(message, file=sys.stderr, flush=True)


def conditions(args):
    """The (busy siblings, threads) pairs to measure, idle first."""
    loads = [0, args.load] if args.load else [0]
    return [(load, threads) for load in loads for threads in args.threads]


def run_cell(workload, dtype, args):
    """Interleaved floors and fits of one cell in every condition.

    Returns one cell per condition (busy siblings, threads). Each repeat
    runs every condition in turn, so slow drifts of a shared machine hit
    them all; the siblings run for one repeat's fits of one condition and
    are stopped after them, also when a child fails or on Ctrl-C.
    The floor is measured once per repeat, next to the fits, because a single
    floor measurement on a busy machine can be far too slow and make every
    multiple of it meaningless; the report uses the fastest one.
    """
    n_train = workload.n_train_quick if args.quick else workload.n_train
    base = dict(workload=workload.name, dtype=dtype, n_train=n_train, seed=args.seed)
    modules = {"sk": REFERENCE, "skmlp": args.candidate}
    cells = {
        condition: dict(workload=workload.name, dtype=dtype, n_train=n_train,
                        load=condition[0], threads=condition[1], floors=[],
                        runs={side: [] for side in modules}, tracemalloc={})
        for condition in conditions(args)
    }
    for repeat in range(args.repeats):
        for (load, threads), cell in cells.items():
            env = child_environment(threads, args.unset_openblas_coretype)
            label = (f"{workload.name} {dtype} repeat {repeat + 1}/{args.repeats} "
                     f"{threads} threads, {load} busy")
            with busy_siblings(load):
                floor = run_child(dict(base, task="floor"), env)
                cell["floors"].append(floor)
                _progress(f"{label} floor: {_brief(floor, 'floor_ms')}")
                for side, module in modules.items():
                    result = run_child(dict(base, task="fit", module=module), env)
                    cell["runs"][side].append(result)
                    _progress(f"{label} {side}: {_brief(result, 'epoch_ms')}")
    if args.tracemalloc:
        for cell in cells.values():
            env = child_environment(cell["threads"], args.unset_openblas_coretype)
            for side, module in modules.items():
                cell["tracemalloc"][side] = run_child(
                    dict(base, task="tracemalloc", module=module), env)
    return list(cells.values())


def _brief(result, key):
    """One progress fragment: the key's value in ms, or the error."""
    if "error" in result:
        return "FAILED " + result["error"]
    return f"{result[key]:.1f} ms/epoch (child took {result['child_seconds']:.0f} s)"


# --------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------
def _median_of(runs, key):
    """Median of a measurement over the runs that have it, else None."""
    values = [run[key] for run in runs if run.get(key) is not None]
    return statistics.median(values) if values else None


def _paired_ratio(sk_runs, skmlp_runs, key):
    """Median over repeats of sk/skmlp, pairing runs made back to back.

    Pairing adjacent runs cancels drifts of a shared machine that a ratio of
    the two medians would not.
    """
    ratios = [a[key] / b[key] for a, b in zip(sk_runs, skmlp_runs)
              if a.get(key) and b.get(key)]
    return statistics.median(ratios) if ratios else None


def summarise(cell):
    """Medians over repeats and the sk/skmlp ratios of one cell."""
    ok = {side: [r for r in runs if "error" not in r]
          for side, runs in cell["runs"].items()}
    floors = [f["floor_ms"] for f in cell["floors"] if "error" not in f]
    floor = min(floors) if floors else None
    summary = {"floor_ms": floor}
    for side, runs in ok.items():
        for key in ("epoch_ms", "us_per_batch", "peak_mb", "loss", "score",
                    "predict_10k_ms", "predict_1_us"):
            summary[f"{side}_{key}"] = _median_of(runs, key)
        epoch = summary[f"{side}_epoch_ms"]
        summary[f"{side}_floor_multiple"] = epoch / floor if epoch and floor else None
        summary[f"{side}_tracemalloc_mb"] = cell["tracemalloc"].get(side, {}).get(
            "tracemalloc_peak_mb")
    for key in ("epoch_ms", "predict_10k_ms", "predict_1_us"):
        summary[f"ratio_{key}"] = _paired_ratio(ok["sk"], ok["skmlp"], key)
    return summary


def anomalies(cell, workload, requested_threads):
    """Human-readable problems with a cell's runs, for the report's notes."""
    notes = []
    label = (f"{cell['workload']} {cell['dtype']} ({cell['threads']} threads, "
             f"{cell['load']} busy)")
    for side, runs in cell["runs"].items():
        for run in runs:
            notes += _run_anomalies(run, f"{label} {side}", workload, cell["dtype"])
    for result in [*cell["floors"], *cell["tracemalloc"].values()]:
        if "error" in result:
            notes.append(f"{label}: child failed: {result['error']}")
    threads = {lib["num_threads"] for run in cell["runs"]["sk"] + cell["runs"]["skmlp"]
               for lib in run.get("blas", ()) if lib["user_api"] == "blas"}
    if threads - {requested_threads}:
        notes.append(f"{label}: BLAS thread counts {sorted(threads)} "
                     f"(requested {requested_threads})")
    return sorted(set(notes))


def _run_anomalies(run, label, workload, dtype):
    if "error" in run:
        return [f"{label}: fit failed: {run['error']}"]
    notes = []
    if run["n_iteration_lines"] != workload.epochs or run["n_iter"] != workload.epochs:
        notes.append(f"{label}: {run['n_iteration_lines']} iteration lines, "
                     f"n_iter_={run['n_iter']}, expected {workload.epochs}")
    if run["coef_dtype"] not in (None, dtype):
        notes.append(f"{label}: coefs_ are {run['coef_dtype']}, input was {dtype}")
    if not run["peak_reset"]:
        notes.append(f"{label}: could not reset the peak RSS; peak MB is a lower bound")
    return notes


def source_notes(cells):
    """Flag an implementation whose source files changed during the run."""
    notes = []
    for side in ("sk", "skmlp"):
        digests = {run["source_digest"] for cell in cells
                   for run in cell["runs"][side] if "error" not in run}
        if len(digests) > 1:
            notes.append(f"{side}: the source changed during the run "
                         f"({len(digests)} versions measured)")
    return notes


def blas_pool_notes(info):
    """Warn when several multi-threaded BLAS libraries are loaded at once.

    numpy and scipy wheels each bundle their own OpenBLAS. Code that
    alternates between them (numpy's matmul, then scipy.linalg.blas) wakes
    two thread pools whose idle threads keep spinning, which can
    oversubscribe the cores and slow both down by large factors.
    """
    pools = [lib for lib in info["blas"]
             if lib["user_api"] == "blas" and lib["num_threads"] > 1]
    if len(pools) < 2:
        return []
    names = ", ".join(os.path.basename(os.path.dirname(lib["filepath"]))
                      for lib in pools)
    return [f"{len(pools)} multi-threaded BLAS libraries are loaded ({names}); "
            "an implementation that calls both can oversubscribe the CPUs"]


def architecture_notes(info, cells):
    """Flag children whose BLAS kernels differ from the header's."""
    def kernels(libraries):
        return {(os.path.basename(lib["filepath"]), str(lib.get("architecture")))
                for lib in libraries}

    seen = set().union(*(kernels(run.get("blas", ())) for cell in cells
                         for runs in cell["runs"].values() for run in runs))
    extra = seen - kernels(info["blas"])
    return [f"children also used BLAS kernels {sorted(extra)}"] if extra else []


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------
def _number(value, kind="auto"):
    """Format a table entry: about three significant digits, '-' if missing."""
    if value is None:
        return "-"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "metric":
        return f"{value:.4f}"
    magnitude = abs(value)
    return f"{value:.0f}" if magnitude >= 100 else (
        f"{value:.1f}" if magnitude >= 10 else f"{value:.2f}")


def markdown_table(headers, rows):
    """A Markdown table with padded columns, readable as plain text too."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]

    def line(cells):
        return "| " + " | ".join(str(c).rjust(w) for c, w in zip(cells, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|"
    return "\n".join([line(headers), rule] + [line(row) for row in rows])


def training_table(cells):
    """Epoch time, floor, memory, loss and score of every cell."""
    headers = ["workload", "dtype", "sk ms/ep", "skmlp ms/ep", "sk/skmlp",
               "sk us/batch", "skmlp us/batch", "floor ms", "sk x floor",
               "skmlp x floor", "sk peak MB", "skmlp peak MB", "sk loss",
               "skmlp loss", "sk score", "skmlp score"]
    rows = []
    for cell in cells:
        s = cell["summary"]
        rows.append([
            cell["workload"], cell["dtype"],
            _number(s["sk_epoch_ms"]), _number(s["skmlp_epoch_ms"]),
            _number(s["ratio_epoch_ms"], "ratio"),
            _number(s["sk_us_per_batch"]), _number(s["skmlp_us_per_batch"]),
            _number(s["floor_ms"]),
            _number(s["sk_floor_multiple"], "ratio"),
            _number(s["skmlp_floor_multiple"], "ratio"),
            _number(s["sk_peak_mb"]), _number(s["skmlp_peak_mb"]),
            _number(s["sk_loss"], "metric"), _number(s["skmlp_loss"], "metric"),
            _number(s["sk_score"], "metric"), _number(s["skmlp_score"], "metric"),
        ])
    return markdown_table(headers, rows)


def predict_table(cells, with_tracemalloc):
    """Predict times (10,000 rows and one row) and optional tracemalloc peaks."""
    headers = ["workload", "dtype", "sk 10k ms", "skmlp 10k ms", "sk/skmlp",
               "sk 1-row us", "skmlp 1-row us", "sk/skmlp"]
    if with_tracemalloc:
        headers += ["sk tracemalloc MB", "skmlp tracemalloc MB"]
    rows = []
    for cell in cells:
        s = cell["summary"]
        row = [cell["workload"], cell["dtype"],
               _number(s["sk_predict_10k_ms"]), _number(s["skmlp_predict_10k_ms"]),
               _number(s["ratio_predict_10k_ms"], "ratio"),
               _number(s["sk_predict_1_us"]), _number(s["skmlp_predict_1_us"]),
               _number(s["ratio_predict_1_us"], "ratio")]
        if with_tracemalloc:
            row += [_number(s["sk_tracemalloc_mb"]), _number(s["skmlp_tracemalloc_mb"])]
        rows.append(row)
    return markdown_table(headers, rows)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load_average():
    """1, 5 and 15 minute load averages: a busy machine explains noisy ratios."""
    try:
        return " ".join(f"{load:.2f}" for load in os.getloadavg())
    except OSError:
        return "unknown"


def _source_revision(module_file):
    """Git commit of the checkout a module was imported from, if it is one.

    skmlp is installed in editable mode while it is being written, so the
    commit (and whether the tree had local changes) says what was measured.
    """
    if not module_file:
        return ""
    completed = subprocess.run(
        ["git", "-C", os.path.dirname(module_file), "describe", "--always",
         "--dirty", "--abbrev=10"], capture_output=True, text=True)
    return f"(git {completed.stdout.strip()})" if completed.returncode == 0 else ""


def _library_line(lib):
    """One threadpoolctl entry: what, from where, which kernel, how many threads."""
    shipped_with = os.path.basename(os.path.dirname(lib["filepath"]))
    text = f"{lib['user_api']}: {lib['internal_api']}"
    if lib["version"]:
        text += f" {lib['version']}"
    text += f" ({shipped_with}/{os.path.basename(lib['filepath'])})"
    if lib.get("architecture"):
        text += f", kernel {lib['architecture']}"
    if lib.get("threading_layer"):
        text += f", {lib['threading_layer']}"
    return text + f", {lib['num_threads']} threads"


def _threads_text(threads):
    """``--threads`` as given: one count or a list of them."""
    return ",".join(map(str, threads)) if isinstance(threads, list) else str(threads)


def machine_header(info, args, env):
    """Date, machine, versions, thread settings and BLAS kernels, as lines."""
    lines = [
        f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{_cpu_model()}, {platform.system()} {platform.release()}",
        f"python {platform.python_version()}, numpy {info.get('numpy')}, "
        f"scipy {info.get('scipy')}, scikit-learn {info.get('sklearn')}",
        f"sk = {REFERENCE}; skmlp = {args.candidate} "
        f"{info['versions'].get(args.candidate, '')} "
        f"{_source_revision(info['files'].get(args.candidate))}",
        f"threads per child: {_threads_text(args.threads)} ({', '.join(THREAD_VARIABLES)}); "
        + ", ".join(f"{n}={env.get(n, '(unset)')}" for n in CORETYPE_VARIABLES),
    ]
    for lib in sorted(info["blas"], key=lambda lib: lib["filepath"]):
        lines.append("  " + _library_line(lib))
    if getattr(args, "load", 0):
        lines.append(f"busy siblings: every condition also with {args.load} busy-looping "
                     "processes")
    lines.append("load average at the start: " + _load_average())
    lines.append(f"repeats: {args.repeats}{' (quick)' if args.quick else ''}, "
                 f"seed {args.seed}")
    lines.append("command: " + shlex.join([sys.executable] + sys.argv))
    return lines


def _condition_title(cell):
    return f"{cell['threads']} BLAS threads, {cell['load']} busy siblings"


def report(cells, notes, args):
    """Print the tables of each condition, the notes, and the side-by-side table."""
    several = len(conditions(args)) > 1
    for condition in conditions(args):
        chosen = [cell for cell in cells if (cell["load"], cell["threads"]) == condition]
        title = f" - {_condition_title(chosen[0])}" if several else ""
        print(f"\nTraining{title} (per-epoch times are medians over epochs 2..N and "
              "repeats; ratios > 1 mean skmlp is faster)\n")
        print(training_table(chosen))
        print(f"\nPrediction after fit{title} (median of many calls)\n")
        print(predict_table(chosen, args.tracemalloc))
    if notes:
        print("\nNotes:")
        print("\n".join(f"- {note}" for note in notes))
    if several:
        print("\nSide by side: epoch ms sk / skmlp (sk/skmlp); 'skmlp n/1' is skmlp's epoch "
              "with n threads over its own with 1 thread under the same load\n")
        print(conditions_table(cells, args))


def conditions_table(cells, args):
    """One row per workload and dtype, the conditions side by side."""
    headers = ["workload", "dtype"]
    for load, threads in conditions(args):
        headers.append(f"{threads}t {load} busy")
    for load in sorted({load for load, _ in conditions(args)}):
        headers += [f"skmlp {n}/1 {load} busy" for n in args.threads if n != 1]
    rows = []
    for key in dict.fromkeys((c["workload"], c["dtype"]) for c in cells):
        by_condition = {(c["load"], c["threads"]): c["summary"] for c in cells
                        if (c["workload"], c["dtype"]) == key}
        row = list(key)
        for condition in conditions(args):
            s = by_condition[condition]
            row.append(f"{_number(s['sk_epoch_ms'])} / {_number(s['skmlp_epoch_ms'])} "
                       f"({_number(s['ratio_epoch_ms'], 'ratio')})")
        for load in sorted({load for load, _ in conditions(args)}):
            one = by_condition.get((load, 1), {}).get("skmlp_epoch_ms")
            for n in args.threads:
                if n != 1:
                    many = by_condition[(load, n)]["skmlp_epoch_ms"]
                    row.append(_number(many / one, "ratio") if one and many else "-")
        rows.append(row)
    return markdown_table(headers, rows)


def main(argv=None):
    """Run the benchmark, or one job when called with ``--worker``."""
    args = parse_args(argv)
    if args.worker:
        worker_main(args.worker)
        return
    env = child_environment(args.threads[0], args.unset_openblas_coretype)
    info = run_child(dict(task="info", modules=[REFERENCE, args.candidate]), env)
    if "error" in info:
        sys.exit(f"cannot import the implementations: {info['error']}")
    header = machine_header(info, args, env)
    print("\n".join(header), flush=True)
    cells, notes = [], []
    for name in args.workloads:
        for dtype in args.dtypes:
            for cell in run_cell(WORKLOADS[name], dtype, args):
                cell["summary"] = summarise(cell)
                notes += anomalies(cell, WORKLOADS[name], cell["threads"])
                cells.append(cell)
    notes += (architecture_notes(info, cells) + source_notes(cells)
              + blas_pool_notes(info))
    header.append("load average at the end: " + _load_average())
    print(header[-1])
    report(cells, notes, args)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(dict(header=header, info=info, args=vars(args), cells=cells,
                           notes=notes), out, indent=1)


if __name__ == "__main__":
    main()
