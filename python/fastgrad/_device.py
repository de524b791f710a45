"""fastgrad.device: fastgrad runs on the CPU; "cpu" is accepted wherever PyTorch takes a device."""

from __future__ import annotations


class device:  # noqa: N801 - PyTorch's name
    """A device a tensor can live on: in fastgrad only the CPU, device("cpu") or "cpu:0".

    Other device types (such as "cuda") raise RuntimeError.
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' must be str, not {type.__class__.__name__}")
        name, _, idx = type.partition(":")
        if idx:
            index = int(idx)
        if name != "cpu":
            raise RuntimeError(f"fastgrad runs on the CPU only; device '{type}' is not available")
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(dev: object) -> None:
    """Accepts None, "cpu", or a cpu device; anything else raises like PyTorch would."""
    if dev is None:
        return
    device(dev)  # type: ignore[arg-type]
