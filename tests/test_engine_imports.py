"""The engine is UI-agnostic: importing it must not pull in Textual (or rich, or the
openai SDK, which only an openai:NAME model needs)."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = """
import json, sys
import mockinterview.engine
import mockinterview.engine.session
import mockinterview.models.stub, mockinterview.models.replay, mockinterview.storage.transcripts
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'openai'))
print(json.dumps(loaded))
"""


def test_engine_import_does_not_load_textual_rich_or_openai():
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert [m for m in loaded if m.startswith("textual")] == []
    assert loaded == []
