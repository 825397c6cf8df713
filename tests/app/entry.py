"""AppTest entry point: runs the real app.py from outside the project root.

Streamlit treats a ``pages/`` folder next to the entry script as a legacy multipage
app, and AppTest resets that check before *every* run, so every AppTest run would
take the legacy first-run path (``ui/frame.py``) that a real server takes only once,
on its first run. Starting from here (no ``pages/`` folder beside it) makes AppTest
run the app the way a server does after that first run; the browser tests cover
the real first run.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[2] / "app.py"), run_name="__main__")
