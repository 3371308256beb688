"""What the package registers with Inspect (its `inspect_ai` entry point).

The cyber suite's tasks, the scripted demo models as the `clearinghouse-demo` provider, a
lab's granted endpoint as the `clearinghouse-endpoint` provider (its key given to the model,
never the environment) and the scrubbed `clearinghouse-local` sandbox, so `inspect eval
clearinghouse/cyber_vuln_id --model clearinghouse-demo/capable` works from the command line as
it does in the worker.
"""

from clearinghouse.assessments import endpoint
from clearinghouse.core import sandboxes, suites
from clearinghouse.demo import scripted

__all__ = ["endpoint", "sandboxes", "scripted", "suites"]
