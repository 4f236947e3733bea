"""Run a Python script (``script.py args...``) and end it the moment its first frame is handed
to the terminal: how ``startup_instructions.py`` counts a start's instructions under valgrind,
the same way for the bare app and for quiz.

The frame is the first ``App._display`` that writes (not one dropped inside a batch update);
quiz's own ``_display`` lets its first screen's frame through by calling Textual's. Nothing is
imported here but what the interpreter has already, so the start measured is the script's.
"""

from __future__ import annotations

import os
import runpy
import sys


class _ExitAtFirstFrame:
    """An import hook that patches ``textual.app.App._display`` as that module is loaded."""

    def find_spec(self, name: str, path: object, target: object = None) -> object:
        if name != "textual.app":
            return None
        sys.meta_path.remove(self)
        from importlib.util import find_spec

        spec = find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module: object) -> None:
            load(module)
            app_class = module.App
            display = app_class._display

            def _display(self, screen, renderable):  # noqa: ANN001, ANN202
                writes = (renderable is not None and not self._batch_count and self._running
                          and not self._closed and self._driver is not None)
                display(self, screen, renderable)
                if writes:
                    os._exit(0)

            app_class._display = _display

        spec.loader.exec_module = exec_module
        return spec


def main() -> None:
    script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    sys.meta_path.insert(0, _ExitAtFirstFrame())
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
