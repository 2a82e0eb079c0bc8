"""The VAE family's tables for docs/vae.md: every VAE's test-set numbers side by side, from the cards."""

from __future__ import annotations

from zoo.registry import ENTRIES


def _number(value, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else ""


def tables(cards: list[dict]) -> str:
    """The family's measurements in one table: NLL on each likelihood's own data, so rows on different data
    (binary, dequantised 8-bit, 16 levels, faces) are not comparable with each other."""
    lines = [
        "## Measured on the test set",
        "",
        "| entry | p(x\\|z) | bound trained | test data | NLL (nats) | bits/dim | k | ELBO | reconstruction | KL "
        "| active units | epochs | training (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    data = {
        "bernoulli": "binarised once (seed 0)",
        "gaussian": "dequantised once, 8-bit scale",
        "categorical": "quantised to K levels",
    }
    for card in cards:
        m, params = card.get("metrics", {}), ENTRIES[card["entry"]].params  # older cards hold no params
        likelihood = params.get("likelihood", "bernoulli")
        levels = f", K = {params['levels']}" if params.get("levels") else ""
        samples = params.get("samples", 1)
        lines.append(
            f"| {card['entry']} | {likelihood}{levels} | {'ELBO' if samples == 1 else f'IWAE k = {samples}'} "
            f"| {card.get('dataset')}, {data[likelihood]} | {_number(m.get('nll'))} "
            f"| {_number(m.get('bits_per_dim'), 3)} "
            f"| {m.get('k')} | {_number(m.get('elbo'))} | {_number(m.get('reconstruction'))} | {_number(m.get('kl'))} "
            f"| {m.get('active_units')} of {params.get('latent')} | {card.get('epochs_run')} "
            f"| {card.get('training_seconds')} |"
        )
    return "\n".join(lines)
