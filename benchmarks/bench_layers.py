"""What dropout and normalisation layers cost: skmlp against itself.

Trains the same workload with skmlp's plain network and with extra layers
(by default ``dropout=0.2`` with ``normalization='batch'``), each fit in a
fresh process as in ``bench_mlp.py``, interleaved, and prints the per-epoch
medians and their ratio (layers / plain; the bar is 1.3 on W1).

Examples
--------
python benchmarks/bench_layers.py                       # W1, 60,000 rows, 3 repeats
python benchmarks/bench_layers.py --quick --threads 1   # 10,000 rows, 1 repeat
python benchmarks/bench_layers.py --params '{"normalization": "layer"}'
"""

import argparse
import json
import statistics
import sys

from bench_mlp import child_environment, run_child


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", default="W1")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--params", default='{"dropout": 0.2, "normalization": "batch"}',
                        help="JSON of the options added to the plain network")
    parser.add_argument("--repeats", type=int, default=None, help="default 3; 1 with --quick")
    parser.add_argument("--quick", action="store_true", help="fewer rows, one repeat")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    from _workloads import WORKLOADS

    workload = WORKLOADS[args.workload]
    n_train = workload.n_train_quick if args.quick else workload.n_train
    repeats = args.repeats or (1 if args.quick else 3)
    env = child_environment(args.threads, unset_coretype=False)
    variants = {"plain": {}, "layers": json.loads(args.params)}
    epoch_ms = {name: [] for name in variants}
    for repeat in range(repeats):
        for name, params in variants.items():
            job = dict(task="fit", workload=args.workload, dtype=args.dtype, n_train=n_train,
                       seed=0, module="skmlp", params=params)
            result = run_child(job, env)
            if "error" in result:
                sys.exit(f"{name}: {result['error']}")
            epoch_ms[name].append(result["epoch_ms"])
            print(f"repeat {repeat + 1}/{repeats} {name}: {result['epoch_ms']:.1f} ms/epoch, "
                  f"loss {result['loss']:.4f}, score {result['score']:.4f}", flush=True)
    ratios = [layers / plain for plain, layers in zip(epoch_ms["plain"], epoch_ms["layers"])]
    print(f"\n{args.workload} {args.dtype}, {n_train} rows, {args.threads} threads, "
          f"layers = {variants['layers']}")
    print(f"plain {statistics.median(epoch_ms['plain']):.1f} ms/epoch, layers "
          f"{statistics.median(epoch_ms['layers']):.1f} ms/epoch, layers/plain "
          f"{statistics.median(ratios):.2f} (per repeat: {', '.join(f'{r:.2f}' for r in ratios)})")


if __name__ == "__main__":
    main()
