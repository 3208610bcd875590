"""Sphinx configuration: numpydoc API reference, sphinx-gallery examples.

Build with ``sphinx-build -b html docs docs/_build/html`` (see README.md).
"""

import os
import sys
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from threadpoolctl import threadpool_limits

# Document the checkout these docs belong to, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import skmlp  # noqa: E402

logger = logging.getLogger(__name__)

project = "skmlp"
author = "The skmlp developers"
copyright = "The skmlp developers, BSD-3-Clause"
release = skmlp.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    # The schedules' plot in the user guide.
    "matplotlib.sphinxext.plot_directive",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "README.md", "auto_examples/*.ipynb", "**/*.py.md5"]
root_doc = "index"
default_role = "literal"

html_theme = "pydata_sphinx_theme"
html_title = f"skmlp {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

# API reference: one page per public name, numpydoc sections.
autosummary_generate = True
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Links into scikit-learn, numpy, SciPy, matplotlib and Python need their
# inventories from the web: opt in with SKMLP_DOCS_INTERSPHINX=1. Offline, the
# names render as code without a link.
if os.environ.get("SKMLP_DOCS_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
    }

# scikit-learn's docstrings, which the estimators share or inherit, refer to
# scikit-learn's glossary and user guide. Without intersphinx, link those
# references to scikit-learn's site instead of leaving them broken.
SKLEARN_DOCS = "https://scikit-learn.org/stable/"
SKLEARN_LABELS = {
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "metadata_routing": "metadata_routing.html",
    "r2_score": "modules/model_evaluation.html#r2-score",
    "scoring_string_names": "modules/model_evaluation.html#scoring-string-names",
}


def link_to_sklearn(app, env, node, contnode):
    """Resolve a missing :term: or :ref: that scikit-learn's docs define."""
    target = node.get("reftarget", "")
    if node.get("reftype") == "term":
        anchor = "term-" + target.replace(" ", "-")
        uri = f"{SKLEARN_DOCS}glossary.html#{anchor}"
    elif node.get("reftype") == "ref" and target in SKLEARN_LABELS:
        uri = SKLEARN_DOCS + SKLEARN_LABELS[target]
        contnode = nodes.inline(text=target.replace("_", " "))
    else:
        return None
    return nodes.reference("", "", contnode, refuri=uri, internal=False)


def check_api_reference(app):
    """Warn about a public class or function that api.rst does not list."""
    import skmlp.nn
    import skmlp.utils

    listed = set(Path(app.srcdir, "api.rst").read_text().split())
    for module in (skmlp, skmlp.nn, skmlp.utils):
        for name in module.__all__:
            if callable(getattr(module, name)) and name not in listed:
                logger.warning(f"{module.__name__}.{name} is not in docs/api.rst")


def setup(app):
    app.connect("builder-inited", check_api_reference)
    if "sphinx.ext.intersphinx" not in extensions:
        app.connect("missing-reference", link_to_sklearn)


# The gallery executes every script in ../examples, each in well under a
# minute. Their matrices are small: extra BLAS threads only oversubscribe a
# shared 2-core machine, where they can make a script many times slower.
threadpool_limits(limits=1, user_api="blas")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Run the quick start too, not only the plot_* scripts.
    "filename_pattern": r"/(plot_|quickstart)",
    "doc_module": ("skmlp",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skmlp": None},
    "download_all_examples": False,
    "show_memory": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
}
