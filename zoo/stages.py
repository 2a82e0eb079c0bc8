"""Multi-stage training (pretraining, transfer experiments): each stage through the zoo loop, one History.

Every stage but the entry's own keeps its checkpoint beside the entry's (`.NAME.checkpoint.STAGE.npz`),
so `resume` skips the finished stages and continues the interrupted one; `finish()` removes those
stage files once the whole run is done (the entry's own checkpoint is the caller's).
"""

from __future__ import annotations

from pathlib import Path


class Stages:
    """run(stage, ...) trains one stage and appends it to `history` (losses tagged with the stage)."""

    def __init__(self, entry, *, checkpoint=None, resume=False, on_chunk=None, on_stage=None):
        from zoo import training

        self.entry, self.checkpoint, self.resume = entry, checkpoint, resume
        self.on_chunk, self.on_stage = on_chunk, on_stage
        self.history = training.History()
        self.files: list[Path] = []

    def run(self, stage: str, net, loss_fn, x, y, recipe, final: bool = False) -> None:
        """Train `net` on (x, y) by `recipe`; `final`: the entry's own stage, on the entry's own checkpoint."""
        from zoo import training

        if self.on_stage is not None:
            self.on_stage(stage)
        file = self.checkpoint
        if file is not None and not final:
            file = Path(file).with_name(f"{Path(file).stem}.{stage}.npz")
            self.files.append(file)
        part = training.fit(
            net,
            loss_fn,
            x,
            y,
            recipe,
            checkpoint=file,
            resume=bool(self.resume and file is not None and Path(file).exists()),
            on_chunk=self.on_chunk,
            stage=stage,
            identity={**self.entry.identity(), "stage": stage},
        )
        self.history.loss.extend(part.loss)
        self.history.stages.extend(part.stages)
        self.history.seconds += part.seconds

    def finish(self):
        """The History of every stage; the stage checkpoints are removed (the run is complete)."""
        for file in self.files:
            file.unlink(missing_ok=True)
        return self.history
