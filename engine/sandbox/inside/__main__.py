"""The sandbox's entry point: ``python -I -S -B /opt/qsb/inside/__main__.py ARGS``.

``-I`` runs this file as a script: no package and nothing of its directory on
``sys.path``.  The directory is imported as the package ``inside`` by its path instead,
so nothing else under ``/opt/qsb`` becomes importable, and the modules' relative imports
work here as they do in the trusted process (``engine.sandbox.inside``).
"""

import importlib.util
import json
import os
import sys


def _load_package() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "inside", os.path.join(here, "__init__.py"), submodule_search_locations=[here]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"the sandbox package is not at {here}")
    package = importlib.util.module_from_spec(spec)
    sys.modules["inside"] = package
    spec.loader.exec_module(package)


if not __package__:  # started as a file, as the sandbox does
    _load_package()
    __package__ = "inside"

# the package is importable only from here on
from .confine import confine_and_run  # noqa: E402
from .runner import read_all  # noqa: E402
from .zygote import zygote_main  # noqa: E402


def main(argv):
    """``__main__.py JOB_FD RESULT_FD [fd:CONFIG_FD | CONFIG_JSON]`` - the cold path;
    ``__main__.py zygote CTL_FD`` - the warm pool's zygote, whose configuration (seccomp
    program, cgroup descriptors, ...) arrives as the first message on its control socket,
    so that nothing of it is on the command line a child could read."""
    if argv[1] == "zygote":
        ctl_fd = int(argv[2])
        zygote_main(ctl_fd, json.loads(os.read(ctl_fd, 1 << 20)))
        return
    job_fd, result_fd = int(argv[1]), int(argv[2])
    config = {}
    if len(argv) > 3 and argv[3].startswith("fd:"):
        cfg_fd = int(argv[3][3:])
        config = json.loads(read_all(cfg_fd, 1 << 20))
        os.close(cfg_fd)
    elif len(argv) > 3:
        config = json.loads(argv[3])
    for p in config.get("sys_path", ()):
        if p not in sys.path:
            sys.path.append(p)
    confine_and_run(job_fd, result_fd, config)


if __name__ == "__main__":
    main(sys.argv)
