"""Prints the API tables of docs/coming-from-pytorch.md by introspecting fastgrad.

    python tools/api_table.py > /tmp/tables.md   # then paste between the markers in the doc

Every public name of fastgrad, fastgrad.Tensor, nn, nn.functional, optim, autograd, testing,
viz and distributed is listed; NOTES holds the differences from PyTorch worth knowing.
"""

from __future__ import annotations

import inspect

import fastgrad
from fastgrad import autograd, distributed, nn, optim, testing, viz
from fastgrad.nn import functional, init

NOTES = {
    "fastgrad.tensor": "float32, float64, int64 and bool only (no float16/complex/uint8)",
    "fastgrad.device": "only `cpu` exists; `.to('cpu')` works, CUDA is refused",
    "fastgrad.from_numpy": "shares memory; dtypes float32/float64/int64/bool",
    "fastgrad.from_dlpack": "CPU producers only; refuses read-only buffers",
    "fastgrad.profile": (
        "fastgrad's own: torch.profiler-like table of forward ops and backward nodes"
    ),
    "fastgrad.save": "a zip of JSON + .npy, never pickle; torch.load cannot read it",
    "fastgrad.load": "loads fastgrad.save files only; never unpickles",
    "fastgrad.viz": "fastgrad's own (like the pytorchviz package)",
    "Tensor.__dlpack__": "refuses tensors that require grad, as PyTorch",
    "Tensor.numpy": "refuses tensors that require grad, as PyTorch",
    "Tensor.__array__": "raises for tensors that require grad, as PyTorch",
    "Tensor.to": "dtype and `cpu` only",
    "autograd.detect_anomaly": "the forward traceback is in the error message (PyTorch warns)",
    "autograd.gradcheck": "float64 finite differences, PyTorch's signature",
    "viz.GraphvizNotFoundError": "fastgrad's own",
    "viz.render": "fastgrad's own: SVG/PNG through Graphviz's `dot`",
    "viz.to_dot": "fastgrad's own: Graphviz DOT text of the graph",
    "distributed.init": "fastgrad's own: joins the MPI job, returns (rank, world_size)",
    "distributed.init_process_group": "backend 'mpi' only; no init_method or store",
    "distributed.DataParallel": "PyTorch's DistributedDataParallel over MPI, not nn.DataParallel",
    "distributed.DistributedDataParallel": "same class as distributed.DataParallel",
    "distributed.DistributedSampler": "torch.utils.data's; shuffles with NumPy's PCG64",
    "distributed.ProcessGroupInfo": "fastgrad's own: what init() returns",
    "distributed.DEFAULT_TIMEOUT": "30 minutes, as for PyTorch's CPU groups",
    "distributed.ReduceOp": "SUM, AVG (alias MEAN), PRODUCT, MIN, MAX",
    "distributed.Work": "wait(timeout) and is_completed() only",
    "distributed.get_backend": "'mpi', or 'local' without mpi4py and launcher",
    **{
        f"distributed.{n}": "default group only (group=None); on the tensor's own memory"
        for n in (
            "all_gather",
            "all_gather_into_tensor",
            "all_reduce",
            "broadcast",
            "reduce_scatter",
            "reduce_scatter_tensor",
        )
    },
    "Tensor.register_post_accumulate_grad_hook": "as in PyTorch (leaves only)",
}


def _rows(prefix: str, obj: object, names: list[str]) -> list[str]:
    rows = []
    for name in sorted(set(names)):
        if name.startswith("_") and not name.startswith("__"):
            continue
        attr = getattr(obj, name, None)
        if attr is None:
            continue
        kind = (
            "class"
            if inspect.isclass(attr)
            else "module"
            if inspect.ismodule(attr)
            else "function"
            if callable(attr)
            else "value"
        )
        key = f"{prefix}.{name}"
        rows.append(f"| `{key}` | {kind} | {NOTES.get(key, 'as in PyTorch')} |")
    return rows


def main() -> None:
    sections = [
        ("fastgrad", fastgrad, list(fastgrad.__all__)),
        (
            "Tensor",
            fastgrad.Tensor,
            [n for n in dir(fastgrad.Tensor) if not n.startswith("_")]
            + ["__dlpack__", "__array__", "__getitem__", "__setitem__", "__matmul__"],
        ),
        ("nn", nn, list(nn.__all__)),
        ("nn.functional", functional, list(functional.__all__)),
        (
            "nn.init",
            init,
            [
                n
                for n in dir(init)
                if not n.startswith("_")
                and inspect.isfunction(getattr(init, n))
                and getattr(init, n).__module__ == init.__name__
            ],
        ),
        (
            "optim",
            optim,
            [n for n in dir(optim) if not n.startswith("_") and inspect.isclass(getattr(optim, n))],
        ),
        ("autograd", autograd, list(autograd.__all__)),
        ("testing", testing, list(testing.__all__)),
        ("viz", viz, list(viz.__all__)),
        ("distributed", distributed, list(distributed.__all__)),
    ]
    for title, obj, names in sections:
        rows = _rows(title, obj, names)
        print(f"### `{title}` ({len(rows)} names)\n")
        print("| name | kind | difference from PyTorch |")
        print("|---|---|---|")
        print("\n".join(rows))
        print()


if __name__ == "__main__":
    main()
