"""What training leaves behind besides the weights: losses, gradient norms, snapshots, stages, seconds."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class History:
    """What training leaves behind besides the weights (saved with the artifact as history.npz)."""

    loss: list[float] = field(default_factory=list)  # per epoch
    grad_norms: list[list[float]] = field(default_factory=list)  # per epoch, per trainable variable
    grad_names: list[str] = field(default_factory=list)
    snapshot_epochs: list[int] = field(default_factory=list)
    snapshots: list[np.ndarray] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)  # per epoch, for multi-stage recipes
    seconds: float = 0.0  # training wall time, summed over resumed runs
    measured: dict = field(default_factory=dict)  # training-time metrics families may fill (not in to_arrays)

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        """One line, not every epoch's numbers: `zoo.train(...)` in a REPL printed thousands of losses and arrays."""
        if not self.loss:
            return "History(no epochs)"
        parts = [f"{self.epochs} epochs", f"loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}"]
        if self.grad_names:
            parts.append(f"gradient norms of {len(self.grad_names)} variables")
        if self.snapshots:
            parts.append(f"{len(self.snapshots)} snapshots")
        if len(set(self.stages)) > 1:
            parts.append("stages " + ", ".join(dict.fromkeys(self.stages)))
        return f"History({', '.join(parts)}, {self.seconds:.1f} s)"

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {
            "loss": np.asarray(self.loss, np.float32),
            "grad_norms": np.asarray(self.grad_norms, np.float32).reshape(len(self.grad_norms), len(self.grad_names)),
            "grad_names": np.asarray(self.grad_names, dtype=str),
            "snapshot_epochs": np.asarray(self.snapshot_epochs, np.int64),
            "stages": np.asarray(self.stages, dtype=str),
        }
        if self.snapshots:
            arrays["snapshots"] = np.stack(self.snapshots)
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> History:
        return cls(
            loss=[float(v) for v in arrays["loss"]],
            grad_norms=[list(map(float, row)) for row in arrays["grad_norms"]],
            grad_names=[str(n) for n in arrays["grad_names"]],
            snapshot_epochs=[int(e) for e in arrays["snapshot_epochs"]],
            snapshots=list(arrays["snapshots"]) if "snapshots" in arrays else [],
            stages=[str(s) for s in arrays["stages"]] if "stages" in arrays else [],
        )
