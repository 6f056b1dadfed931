"""The Markdown block reader behind the docs examples test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.blocks import blocks

PAGE = """# Title

```python
x = 1
```

<!-- doctest: service -->
```bash
curl "$BASE_URL/health"
```

<!-- doctest: skip - needs two machines -->

```python
never()
```

```json
{"not": "run"}
```
"""


def test_reads_languages_directives_and_lines(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    found = blocks(page)
    assert [(b.language, b.directive, b.line, b.runs) for b in found] == [
        ("python", None, 3, True),
        ("shell", "service", 8, True),
        ("python", "skip", 14, False),
        ("json", None, 18, False),
    ]
    assert found[0].code == "x = 1\n"
    assert found[2].reason == "needs two machines"


def test_unknown_directive_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- doctest: skipp -->\n```python\npass\n```\n")
    with pytest.raises(ValueError, match="skipp"):
        blocks(page)
