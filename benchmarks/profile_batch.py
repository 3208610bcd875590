"""Where one mini-batch's time goes: each step of `run_epoch`, timed on its own.

A workload's skmlp network (fitted one epoch, so every buffer exists) is
trained for ``--batches`` mini-batches by `skmlp._training.loop.run_epoch`,
and then each step of those mini-batches is run again on its own over the
same batches: the row gathering, every layer's forward and backward (a
dense layer's products apart from its bias and its bias-gradient sum), the
loss and its gradient, the penalty's value and the optimiser's update. Each
figure is the best of ``--repeats`` passes over the batches, in
microseconds per batch; "rest" is the whole batch minus the steps (Python
calls between them, look-ups). One BLAS thread unless ``--threads``.

Run from the repository root::

    PYTHONPATH=. python benchmarks/profile_batch.py --workloads W4,W1,W3
"""

import argparse
import time

from bench_inprocess import one_process


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W4,W1,W3")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def _best(step, batches, repeats):
    """Best over ``repeats`` of the mean time of ``step(idx)`` per batch, in us."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for idx in batches:
            step(idx)
        best = min(best, (time.process_time() - start) / len(batches))
    return 1e6 * best


def _steps(network, objective, optimizer, X, y, batches):
    """name -> step(idx): the pieces of a mini-batch, in their order."""
    import numpy as np

    from skmlp.nn import Dense
    from skmlp._training.loop import gather_rows

    largest = max(len(idx) for idx in batches)
    X_rows = np.empty((largest, X.shape[1]), X.dtype)
    y_rows = np.empty((largest, y.shape[1]), y.dtype)
    inputs, grads = {}, {}  # per batch size: each layer's input, its output's gradient

    def record(idx):  # one real pass, keeping every layer's input and output gradient
        A = gather_rows(X, idx, X_rows)
        seen = []
        for layer in network.layers:
            seen.append(A.copy())
            A = layer.forward(A, training=True)
        _, dZ = objective.loss.loss_gradient(A, gather_rows(y, idx, y_rows))
        back = []
        for layer in reversed(network.layers):
            back.append(dZ.copy())
            dZ = layer.backward(dZ) if dZ is not None else None
        inputs[len(idx)], grads[len(idx)] = seen, back[::-1] + [A.copy()]

    for idx in batches:
        if len(idx) not in inputs:
            record(idx)
    steps = {"gather X and y rows": lambda idx: (gather_rows(X, idx, X_rows),
                                                  gather_rows(y, idx, y_rows))}
    for k, layer in enumerate(network.layers):
        name = f"{k} {type(layer).__name__}"

        def forward(idx, k=k, layer=layer):
            layer.forward(inputs[len(idx)][k], training=True)

        if isinstance(layer, Dense):
            def product(idx, k=k, layer=layer):
                A = inputs[len(idx)][k]
                np.matmul(A, layer.W, out=layer._workspace("Y", (A.shape[0], layer.n_units)))
            steps[f"{name} forward product"] = product
            steps[f"{name} forward bias (forward - product)"] = forward
        else:
            steps[f"{name} forward"] = forward
    Z = {n: seen[-1] for n, seen in grads.items()}
    steps["loss and its gradient"] = lambda idx: objective.loss.loss_gradient(
        Z[len(idx)], gather_rows(y, idx, y_rows))
    for k, layer in reversed(list(enumerate(network.layers))):
        def backward(idx, k=k, layer=layer):
            layer.backward(grads[len(idx)][k])

        steps[f"{k} {type(layer).__name__} backward"] = backward
    steps["penalty: rescale and value"] = lambda idx: (
        objective.penalty.rescale(len(idx)), objective.penalty.value(network.params))
    steps["optimiser update (+ penalty gradient)"] = lambda idx: optimizer.update(
        network.params, network.grads, penalty=objective.penalty,
        n_decayed=network.n_penalized)
    return steps


def _profile(name, args):
    import numpy as np

    import skmlp
    from skmlp.nn import Adam, Objective
    from skmlp._training.loop import run_epoch
    from _worker import _hyperparameters
    from _workloads import WORKLOADS, make_data

    workload = WORKLOADS[name]
    n_rows = workload.batch_size * args.batches
    X, _, y, _ = make_data(workload, max(n_rows, workload.n_train_quick), args.dtype, seed=0)
    kind = "MLPClassifier" if workload.task == "classifier" else "MLPRegressor"
    params = {**_hyperparameters(workload, 1), "verbose": False}
    model = getattr(skmlp, kind)(**params).fit(X, y)
    network, loss = model._network, model._loss
    Y = (np.eye(len(model.classes_), dtype=X.dtype)[np.searchsorted(model.classes_, y)]
         if kind == "MLPClassifier" else y.reshape(-1, 1))
    if Y.shape[1] == 2:  # binary: one sigmoid output
        Y = Y[:, 1:]
    Y = np.ascontiguousarray(Y, dtype=X.dtype)
    rng = np.random.RandomState(0)
    order = rng.permutation(X.shape[0])[:n_rows]
    batches = [order[i:i + workload.batch_size] for i in range(0, n_rows, workload.batch_size)]
    objective = Objective(loss, params["alpha"], network.n_penalized)
    optimizer = Adam(params["learning_rate_init"])
    run_epoch(network, objective, optimizer, (X, Y, None), batches)  # warm: state, buffers
    whole = _best(lambda _: run_epoch(network, objective, optimizer, (X, Y, None), batches),
                  [None], args.repeats) / len(batches)
    steps = {}
    for step, fn in _steps(network, objective, optimizer, X, Y, batches).items():
        if step.endswith("backward") and not any(s.endswith("backward") for s in steps):
            network.forward(X[batches[0]], training=True)  # the caches backward reads
        steps[step] = _best(fn, batches, args.repeats)
        if step.endswith("(forward - product)"):  # timed as the whole forward
            steps[step] -= steps[step.replace("bias (forward - product)", "product")]
    print(f"\n{name} {args.dtype}, {X.shape[1]} inputs, {workload.hidden_layer_sizes}, "
          f"batch {workload.batch_size}, {network.params.size} parameters, "
          f"{args.threads} BLAS thread(s); us per batch, best of {args.repeats}\n")
    print("| step | us |\n|---|---:|")
    for step, us in steps.items():
        print(f"| {step} | {us:.1f} |")
    print(f"| rest (Python between the steps) | {whole - sum(steps.values()):.1f} |")
    print(f"| **whole batch (`run_epoch` of one batch)** | **{whole:.1f}** |")


def main():
    args = _arguments()
    one_process(args.threads)
    for name in args.workloads.split(","):
        _profile(name, args)


if __name__ == "__main__":
    main()
