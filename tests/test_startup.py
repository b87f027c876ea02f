"""What a web process holds once Django has started and loaded its URLs: no demo module and none of the heavy libraries
that only the demo, the value run, the duplicate scan or the import use (each is tens of MB in
every gunicorn worker)."""

import json
import os
import subprocess
import sys

from django.conf import settings

from guanxi.core import demo

HEAVY = ("pandas", "numpy", "pyarrow", "sklearn", "scipy", "faker", "duckdb", "pypinyin", "splink", "lifetimes",
         "lightgbm", "statsmodels", "reportlab")


def _modules_after_setup() -> set[str]:
    code = "import json, sys, django; django.setup(); import config.urls; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                          cwd=settings.BASE_DIR, timeout=120)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_start_up_imports_no_demo_module_and_no_heavy_library():
    modules = _modules_after_setup()
    assert not [m for m in modules if m.split(".")[0] in HEAVY]
    assert not [m for m in modules if m.startswith("guanxi.") and ".demo" in m and m != "guanxi.core.demo"]


def test_a_deferred_step_imports_its_module_when_it_runs_and_registers_once(monkeypatch):
    loads = []

    def load():
        loads.append(1)
        return lambda **kwargs: f"ran with {sorted(kwargs)}"

    monkeypatch.setattr(demo, "DEMO_STEPS", [])
    demo.register_demo_step(demo.DeferredStep(load))
    demo.register_demo_step(demo.DeferredStep(load))
    assert len(demo.DEMO_STEPS) == 1 and loads == []
    assert demo.DEMO_STEPS[0].__module__ == load.__module__  # the registering app's
    assert demo.DEMO_STEPS[0](seed=1) == "ran with ['seed']" and loads == [1]
