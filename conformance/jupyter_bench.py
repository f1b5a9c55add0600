#!/usr/bin/python3
"""The Jupyter baseline for the SDK runCode figure: a local ipykernel driven by jupyter_client.

    /usr/bin/python3 jupyter_bench.py --n 60 [--warmup 300] [--label jupyter]

Starts one python kernel with jupyter_client.KernelManager, then times n times (after the warmup)
BlockingKernelClient.execute('1+1') until both the execute_reply (shell) and the kernel's idle
status for that request (iopub) have arrived: the same request a code interpreter makes for one
cell, with no HTTP, container or sandbox in between. Needs Debian's python3-ipykernel and
python3-jupyter-client (./airlock setup installs them). Prints one JSON line, the shape bench.mjs
prints: {"label": ..., "measure": "jupyter", "samples_ms": [...]}
"""
import argparse
import json
import os
import sys
import time

from jupyter_client import KernelManager

REPLY_TIMEOUT_S = 30


def execute_once(client):
    """Runs 1+1; returns the seconds until the idle status (iopub) and execute_reply (shell) arrived."""
    t0 = time.perf_counter()
    msg_id = client.execute("1+1", store_history=False)
    # The kernel sends idle on iopub after its execute_reply on shell; wait for idle first, then
    # take the reply, which is already there by then (both block, neither busy-polls).
    while True:
        msg = client.get_iopub_msg(timeout=REPLY_TIMEOUT_S)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"):
            break
    while True:
        reply = client.get_shell_msg(timeout=REPLY_TIMEOUT_S)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - t0
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"1+1 failed in the kernel: {reply['content']}")
    return elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=60)
    p.add_argument("--warmup", type=int, default=300)  # as many as bench.mjs runcode warms up with
    p.add_argument("--label", default="jupyter")
    args = p.parse_args()

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets debugpy's start-up warning
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    try:
        client = km.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            samples = []
            for i in range(args.warmup + args.n):
                s = execute_once(client)
                if i >= args.warmup:
                    samples.append(s * 1000.0)
        finally:
            client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    sys.stdout.write(json.dumps({"label": args.label, "measure": "jupyter", "samples_ms": samples}) + "\n")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line on stderr, a non-zero exit, like bench.mjs
        sys.stderr.write(f"jupyter bench failed: {type(e).__name__}: {e}\n")
        sys.exit(1)
