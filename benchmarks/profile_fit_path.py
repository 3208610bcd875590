"""The shape of a one-epoch fit: which functions and modules it walks through.

A fit of ``MLPClassifier((16,), max_iter=1)`` on the digits data, after a
warm-up fit of the same estimator, is traced with ``sys.setprofile`` (Python
calls and returns only). The figures measure how the code is laid out, not
how fast it runs (issue 20):

* **functions / modules**: distinct named functions (not comprehensions,
  lambdas or dataclasses' generated ``__init__``) and modules of the package
  that the fit runs, for the default fit, ``early_stopping=True`` and
  ``n_init=2``;
* **stops to the first step**: in the sequence of calls and returns between
  the package's own frames, the runs of one module, from the call of
  ``fit`` to the optimiser's first update (``SGD/Adam.update``): how often a
  value changes module on its way from ``fit`` to the gradient step. The
  core (``skmlp.nn``) counts as one module: a layer calling its base class
  (``Dense`` and ``Layer``) is no stop on the fit's path;
* **visits to the busiest module**: the runs of the module with the most of
  them on that path;
* **calls into estimator methods**: calls of a function defined on the
  estimator classes from a frame of another module of the package (the
  training code calling back up into the estimator);
* **parameters read while training**: reads of the estimator's parameters
  (the ``get_params`` names) off ``self`` from the first call into the core
  (``skmlp.nn``: the loss or network being built) to the end of ``fit``;
* **largest module / longest function**: lines of the package's modules and
  of its functions other than ``__init__``, with the docstring and without
  it (numpydoc docstrings of public functions run to dozens of lines).

``--sklearn`` adds scikit-learn's MLP (package ``sklearn.neural_network``)
for comparison.

Run from the repository root::

    PYTHONPATH=. python benchmarks/profile_fit_path.py [--sklearn] [--list]
"""

import argparse
import ast
import contextlib
import importlib
import inspect
import os
import sys
import warnings
from collections import Counter

from sklearn.datasets import load_digits


class _Target:
    """What is profiled: a package, its estimator classes, its core and its step."""

    def __init__(self, package, estimator, estimator_modules, core, step):
        self.package = package
        self.estimator = estimator
        self.estimator_modules = estimator_modules
        self.core = core
        self.step = step  # (module, function name) of the optimiser's update

    def owns(self, module):
        return module == self.package or module.startswith(self.package + ".")


def _skmlp():
    from skmlp import MLPClassifier

    return _Target(
        "skmlp",
        MLPClassifier,
        {"skmlp._base", "skmlp._classifier", "skmlp._regressor"},
        "skmlp.nn",
        ("skmlp.nn._optimizer_base", "update"),
    )


def _sklearn():
    from sklearn.neural_network import MLPClassifier

    return _Target(
        "sklearn.neural_network",
        MLPClassifier,
        {"sklearn.neural_network._multilayer_perceptron"},
        "sklearn.neural_network._base",
        ("sklearn.neural_network._stochastic_optimizers", "update_params"),
    )


def _estimator_codes(cls):
    """Code objects of the functions defined on ``cls`` and its bases."""
    codes = set()
    for klass in cls.__mro__:
        for value in vars(klass).values():
            for function in _functions_of(value):
                codes.add(function.__code__)
    return codes


def _functions_of(value):
    if isinstance(value, property):
        return [f for f in (value.fget, value.fset) if f is not None]
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    value = inspect.unwrap(value) if callable(value) else value
    return [value] if inspect.isfunction(value) else []


class _Trace:
    """The calls and returns between the package's frames during one fit."""

    def __init__(self, target, estimator):
        self.target = target
        self.functions = set()
        self.modules = set()
        self.sequence = []  # the module of each call and each return to a package frame
        self.first_step = None  # index in sequence of the optimiser's first update
        self.callbacks_up = Counter()
        self.in_training = False
        self.params_read = Counter()
        self._estimator_codes = _estimator_codes(type(estimator))

    def __call__(self, frame, event, arg):
        if event not in ("call", "return"):
            return
        module = frame.f_globals.get("__name__", "")
        if not self.target.owns(module):
            return
        code = frame.f_code
        if event == "call":
            if "<" not in code.co_qualname:
                self.functions.add((module, code.co_firstlineno, code.co_qualname))
            self.modules.add(module)
            self.sequence.append(self._stop(module))
            caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
            if (
                code in self._estimator_codes
                and self.target.owns(caller)
                and caller not in self.target.estimator_modules
            ):
                self.callbacks_up[f"{caller} -> {code.co_qualname}"] += 1
            if module.startswith(self.target.core):
                self.in_training = True
            if self.first_step is None and (module, code.co_name) == self.target.step:
                self.first_step = len(self.sequence) - 1
        else:
            back = frame.f_back
            caller = back.f_globals.get("__name__", "") if back is not None else ""
            if self.target.owns(caller):
                self.sequence.append(self._stop(caller))

    def _stop(self, module):
        """The module as a stop on the path: the core is one."""
        return self.target.core if module.startswith(self.target.core + ".") else module


def _runs(sequence):
    """The modules of the runs of equal consecutive entries."""
    runs = []
    for module in sequence:
        if not runs or runs[-1] != module:
            runs.append(module)
    return runs


@contextlib.contextmanager
def _watching_params(trace, cls, names):
    """Count reads of the parameters off estimators of ``cls`` while training."""
    original = cls.__dict__.get("__getattribute__")

    def __getattribute__(self, name):
        if name in names and trace.in_training:
            trace.params_read[name] += 1
        return object.__getattribute__(self, name)

    cls.__getattribute__ = __getattribute__
    try:
        yield
    finally:
        if original is None:
            del cls.__getattribute__
        else:
            cls.__getattribute__ = original


def profile_fit(target, **params):
    """Trace one fit of ``MLPClassifier((16,), max_iter=1, **params)``."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    make = lambda: target.estimator((16,), max_iter=1, random_state=0, **params)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make().fit(X, y)  # warm-up: imports, caches
        estimator = make()
        trace = _Trace(target, estimator)
        names = set(estimator.get_params(deep=False))
        with _watching_params(trace, type(estimator), names):
            sys.setprofile(trace)
            try:
                estimator.fit(X, y)
            finally:
                sys.setprofile(None)
    return trace


def _module_sizes(package):
    """Lines of each module of ``package``, and of each function in them."""
    root = os.path.dirname(importlib.import_module(package.split(".")[0]).__file__)
    root = os.path.join(root, *package.split(".")[1:])
    modules, functions = {}, []
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path) as file:
                source = file.read()
            relative = os.path.relpath(path, os.path.dirname(root))
            modules[relative] = source.count("\n")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if node.name != "__init__":
                        lines = node.end_lineno - node.lineno + 1
                        functions.append((lines, lines - _docstring_lines(node), relative,
                                          node.name))
    return modules, sorted(functions, reverse=True)


def _docstring_lines(node):
    if ast.get_docstring(node) is None:
        return 0
    return node.body[0].end_lineno - node.body[0].lineno + 1


def measure(target):
    """The figures of issue 20 for ``target``, as a dict."""
    default = profile_fit(target)
    early = profile_fit(target, early_stopping=True)
    restarts = profile_fit(target, n_init=2) if target.package == "skmlp" else None
    path = _runs(default.sequence[: default.first_step + 1])
    busiest, visits = Counter(path).most_common(1)[0]
    modules, functions = _module_sizes(target.package)
    largest = max(modules.items(), key=lambda item: item[1])
    figures = {
        "functions / modules (default)": f"{len(default.functions)} / {len(default.modules)}",
        "functions / modules (early_stopping)": f"{len(early.functions)} / {len(early.modules)}",
        "stops from fit to the first optimiser step": str(len(path)),
        "visits to the busiest module": f"{visits} ({busiest})",
        "calls into estimator methods (default / early stopping / n_init=2)": " / ".join(
            str(sum(t.callbacks_up.values())) if t is not None else "-"
            for t in (default, early, restarts)
        ),
        "parameters read while training (default / early stopping / n_init=2)": " / ".join(
            str(len(t.params_read)) if t is not None else "-" for t in (default, early, restarts)
        ),
        "largest module": f"{largest[0]} {largest[1]} lines",
        "longest function (not __init__), lines": f"{functions[0][2]}:{functions[0][3]} "
        f"{functions[0][0]}",
        "longest function (not __init__), lines without its docstring": "{2}:{3} {1}".format(
            *max(functions, key=lambda item: item[1])
        ),
        "modules over 450 lines / functions over 45 lines (without docstring)":
        f"{sum(n > 450 for n in modules.values())} / {sum(n > 45 for n, *_ in functions)} "
        f"({sum(code > 45 for _, code, *_ in functions)})",
    }
    if restarts is not None:
        figures["functions / modules (n_init=2)"] = (
            f"{len(restarts.functions)} / {len(restarts.modules)}"
        )
    details = {"default": default, "early_stopping": early, "n_init=2": restarts,
               "modules": modules, "functions": functions, "stops": path}
    return figures, details


def _print_details(details):
    for name in ("default", "early_stopping", "n_init=2"):
        trace = details[name]
        if trace is None:
            continue
        print(f"\n{name}: calls into estimator methods {dict(trace.callbacks_up)}")
        print(f"{name}: parameters read while training {dict(trace.params_read)}")
    print("\nmodules of the default fit, functions per module:")
    per_module = Counter(module for module, _, _ in details["default"].functions)
    for module, count in per_module.most_common():
        print(f"  {count:4d}  {module}")
    print("\nstops from fit to the first step:")
    print("  " + " > ".join(module.rpartition(".")[2] for module in details["stops"]))
    print("\nmodules over 300 lines:")
    for name, lines in sorted(details["modules"].items(), key=lambda item: -item[1]):
        if lines > 300:
            print(f"  {lines:5d}  {name}")
    print("\nfunctions over 40 lines (not __init__), lines (without docstring):")
    for lines, code, module, name in details["functions"]:
        if lines > 40:
            print(f"  {lines:5d} ({code:3d})  {module}:{name}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sklearn", action="store_true", help="add scikit-learn's MLP")
    parser.add_argument("--list", action="store_true", help="also list what was counted")
    args = parser.parse_args(argv)
    targets = [_skmlp()] + ([_sklearn()] if args.sklearn else [])
    results = [measure(target) for target in targets]
    header = ["one-epoch fit"] + [target.package for target in targets]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in results[0][0]:
        cells = [figures.get(row, "-") for figures, _ in results]
        print("| " + " | ".join([row, *cells]) + " |")
    if args.list:
        _print_details(results[0][1])


if __name__ == "__main__":
    main()
