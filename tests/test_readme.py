"""The README's Python snippets print what the README shows under them."""

import contextlib
import io
import pathlib
import re

import pytest

README = pathlib.Path(__file__).parent.parent / "README.md"

# A ```python block directly followed by the ```text block of its output.
_SNIPPET = re.compile(r"```python\n((?:(?!```).)*)```\s*```text\n((?:(?!```).)*)```", re.DOTALL)


SNIPPETS = _SNIPPET.findall(README.read_text())


def test_the_readme_shows_outputs():
    assert len(SNIPPETS) >= 2  # the estimator's use and the core's


@pytest.mark.parametrize("code, output", SNIPPETS, ids=[f"snippet-{i}" for i in range(len(SNIPPETS))])
def test_readme_snippet_prints_what_it_shows(code, output):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    assert printed.getvalue() == output
