"""The code that runs inside the sandbox, bind-mounted read-only as ``/opt/qsb/inside``
and started as ``python -I -S -B /opt/qsb/inside/__main__.py``.

It imports the standard library and NumPy (PyTorch when the job needs it) and nothing
of the project: inside the sandbox the project tree is not visible and ``import engine``
fails.  The trusted side imports only :mod:`.wire` (the codec both sides share) and
:mod:`.exits` (the exit statuses); importing either has no side effects.

* ``wire``     the wire format: messages of JSON plus ``.npy`` frames, never pickle
* ``plain``    learner values -> plain data, without trusting the values' own methods
* ``runner``   one job: the learner's module, its calls, the result channel
* ``confine``  rlimits, descriptors, cgroups, seccomp; the cold path's job
* ``linux``    the namespace and capability system calls the standard library lacks
* ``zygote``   the warm path: one pre-imported process forking an isolated child per job
* ``exits``    the sandbox's exit statuses
"""
