"""What the package registers with Inspect (its `inspect_ai` entry point).

The cyber suite's tasks, and the scripted demo models as the `clearinghouse-demo` provider,
so `inspect eval clearinghouse/cyber_vuln_id --model clearinghouse-demo/capable` works from
the command line as it does in the worker.
"""

from clearinghouse.core import suites
from clearinghouse.demo import scripted

__all__ = ["scripted", "suites"]
