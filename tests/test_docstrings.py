"""numpydoc validation of every public class and function, as scikit-learn's.

The public names are those of the API reference (docs/api.rst), which a
test here keeps complete; a class is checked with each of its public
methods and properties. The checks are those of scikit-learn's own
``sklearn/tests/test_docstrings.py``: all of numpydoc's, less the codes it
ignores, for the reasons it gives (in `_ignored`). Three more exclusions,
each for a reason of skmlp's:

- A method without a docstring of its own that implements one of its base
  class (a layer's ``forward`` and ``backward``, a loss's ``loss``...) is
  checked by its base class's docstring: the contract is written once, in
  the base class (the house style), as scikit-learn skips the callback
  hooks that its callback protocol documents.
- Checkpoint's callback hooks (``setup``, ``on_fit_task_begin``...) are
  skipped, as scikit-learn skips those of its own callbacks.
- ``See Also`` (SA01) and ``Examples`` (EX01) are not required of the numpy
  core (``skmlp.nn``) and the gradient checks (``skmlp.utils``): their user
  guide pages (layers, losses, optimisers, the computation graph) show each
  in use, with the formulas; an example per layer would repeat them.
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest

numpydoc_validation = pytest.importorskip("numpydoc.validate", reason="needs numpydoc")

API_REFERENCE = Path(__file__).parents[1] / "docs" / "api.rst"
CALLBACK_HOOKS = {"setup", "teardown", "on_fit_task_begin", "on_fit_task_end"}
# Modules whose classes and functions need no See Also nor Examples.
CORE_MODULES = ("skmlp.nn", "skmlp.utils")


def _api_names():
    """(module, name) of each entry of the API reference's autosummaries."""
    module, names, in_summary = None, [], False
    for line in API_REFERENCE.read_text().splitlines():
        match = re.match(r"\.\. currentmodule:: (\S+)", line)
        if match:
            module = match.group(1)
        if line.strip() and not line.startswith(" "):
            in_summary = line.startswith(".. autosummary::")
        elif in_summary and line.strip() and not line.strip().startswith(":"):
            names.append((module, line.strip()))
    return names


def _importable(module):
    """The module, or None when an optional dependency is missing (skmlp.onnx)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _public_objects():
    modules = {module: _importable(module) for module, _ in _api_names()}
    return [getattr(modules[module], name) for module, name in _api_names() if modules[module]]


def _public_methods(klass):
    for name in sorted(dir(klass)):
        if name.startswith("_") or name in CALLBACK_HOOKS:
            continue
        if callable(getattr(klass, name)) or isinstance(inspect.getattr_static(klass, name),
                                                        property):
            yield name


def _documented_owner(klass, name):
    """The class whose docstring of method ``name`` documents it on ``klass``.

    ``klass`` itself when its method has a docstring (or no base has one);
    otherwise the nearest base class whose method of that name has one.
    """
    for owner in inspect.getmro(klass):
        attribute = owner.__dict__.get(name)
        if attribute is None:
            continue
        function = attribute.fget if isinstance(attribute, property) else attribute
        if getattr(function, "__doc__", None):
            return owner
    return klass


def _cases():
    cases = []
    for obj in _public_objects():
        cases.append(pytest.param(obj, None, id=f"{obj.__module__}.{obj.__qualname__}"))
        if inspect.isclass(obj):
            for method in _public_methods(obj):
                owner = _documented_owner(obj, method)
                cases.append(pytest.param(owner, method, id=f"{obj.__qualname__}.{method}"))
    return cases


def _ignored(code, klass, method, module):
    """Whether scikit-learn's test (or one of skmlp's reasons above) ignores ``code``."""
    # scikit-learn: RT02 (the returned object may be named), GL01 and GL02
    # (where the summary starts, a blank line before properties' Returns).
    if code in ("RT02", "GL01", "GL02"):
        return True
    # scikit-learn: properties have no parameters and no parsable signature.
    if code in ("PR02", "GL08") and method is not None:
        if isinstance(inspect.getattr_static(klass, method), property):
            return True
    # scikit-learn: an extended summary, See Also and Examples only for
    # classes and functions, not for methods.
    if method is not None and code in ("EX01", "SA01", "ES01"):
        return True
    return code in ("SA01", "EX01") and module.startswith(CORE_MODULES)


def test_api_reference_lists_every_public_name():
    # So that the checks below see every public class and function.
    listed = {id(obj) for obj in _public_objects()}
    for module_name in ("skmlp", "skmlp.nn", "skmlp.utils", "skmlp.onnx", "skmlp.datasets"):
        module = _importable(module_name)
        if module is None:
            continue
        names = getattr(module, "__all__", None) or [
            name for name in vars(module) if not name.startswith("_")
        ]
        for name in names:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                if obj.__module__.startswith("skmlp"):
                    assert id(obj) in listed, f"{module_name}.{name} is not in docs/api.rst"


@pytest.mark.parametrize("obj, method", _cases())
def test_docstring(obj, method):
    path = f"{obj.__module__}.{obj.__qualname__}" + ("" if method is None else f".{method}")
    result = numpydoc_validation.validate(path)
    klass = obj if inspect.isclass(obj) else None
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if not _ignored(code, klass, method, obj.__module__)
    ]
    assert not errors, f"{path}:\n" + "\n".join(errors)
