"""The performance work: fast in-graph dropout, the faster importance sampler, the bench's FLOP counts."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import keras  # noqa: E402
import numpy as np
import tensorflow as tf  # noqa: E402

from zoo.dropout import PHILOX, FastDropout, keep_mask, philox, uniform  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _load_script(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dropout_keeps_one_minus_rate_scaled_and_is_identity_at_inference():
    layer = FastDropout(0.3, seed=1)
    x = np.ones((200, 500), np.float32)
    out = np.asarray(layer(x, training=True))
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 100,000 draws: 4 standard deviations is 0.006
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_draws_are_fresh_every_step_in_xla_and_follow_the_seed():
    def masks(seed):
        gen = keras.random.SeedGenerator(seed)

        @tf.function(jit_compile=True)
        def two():
            return keep_mask([64, 64], 0.5, gen), keep_mask([64, 64], 0.5, gen)

        return [m.numpy() for m in two()]

    a1, a2 = masks(3)
    b1, b2 = masks(3)
    assert (a1 != a2).mean() > 0.4  # independent halves differ on ~50% of elements
    np.testing.assert_array_equal(a1, b1)  # the same seed, the same stream
    np.testing.assert_array_equal(a2, b2)
    assert (masks(4)[0] != a1).mean() > 0.4


def test_the_fenced_draw_is_the_kernel_s_draw_in_and_out_of_xla_loops():
    """philox() returns its draw through a conditional (a fence against XLA fusing it into its readers): the
    values are the Philox kernel's own, for every key (0 included), eagerly, in a graph, and in an XLA loop."""

    def kernel(high, low, normal):
        key = tf.bitcast(tf.cast(high, tf.int64) * (2**32) + tf.cast(low, tf.int64), tf.uint64)
        draw = tf.raw_ops.StatelessRandomNormalV2 if normal else tf.raw_ops.StatelessRandomUniformV2
        return draw(shape=[3, 5], key=tf.reshape(key, [1]), counter=tf.zeros([2], tf.uint64), alg=PHILOX)

    def in_a_loop(draw, jit):
        """Each step's draw, and the draw read with another tensor (the fusion the fence prevents)."""

        @tf.function(jit_compile=jit, autograph=False)
        def run(x):
            def body(s, draws, sums):
                u = draw(0, s)
                return s + 1, draws.write(s, u), sums.write(s, u + x)

            arrays = (tf.TensorArray(tf.float32, 3), tf.TensorArray(tf.float32, 3))
            _, draws, sums = tf.while_loop(lambda s, *_: s < 3, body, (tf.constant(0),) + arrays)
            return draws.stack(), sums.stack()

        return [t.numpy() for t in run(tf.ones([3, 5]))]

    for normal in (False, True):
        for high, low in ((0, 0), (7, 2**31 + 5)):
            np.testing.assert_array_equal(
                philox([3, 5], high, low, normal=normal).numpy(), kernel(high, low, normal).numpy()
            )
        for jit in (False, True):
            fenced, fenced_sums = in_a_loop(lambda h, lo, normal=normal: philox([3, 5], h, lo, normal=normal), jit)
            draws, sums = in_a_loop(lambda h, lo, normal=normal: kernel(h, lo, normal), jit)
            np.testing.assert_array_equal(fenced, draws)
            # fused into the sum, XLA may contract Box-Muller's last multiply with the add (one rounding fewer)
            np.testing.assert_allclose(fenced_sums, sums, rtol=0, atol=1e-6)


def test_uniform_is_uniform_and_runs_without_xla():
    u = uniform([100_000], keras.random.SeedGenerator(0)).numpy()
    assert 0 <= u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002


def test_fast_dropout_is_many_times_faster_than_keras_random_under_xla():
    def seconds(draw):
        @tf.function(jit_compile=True)
        def run():
            return tf.while_loop(lambda i, a: i < 20, lambda i, a: (i + 1, a + tf.reduce_sum(draw())), (0, 0.0))

        run()
        start = time.perf_counter()
        run()
        return time.perf_counter() - start

    gen_keras, gen_fast = keras.random.SeedGenerator(0), keras.random.SeedGenerator(0)
    slow = seconds(lambda: keras.random.uniform([128, 784], seed=gen_keras))
    fast = seconds(lambda: uniform([128, 784], gen_fast))
    assert slow > 5 * fast, (slow, fast)  # measured 100-200x on the 2-core machine


def test_model_with_fast_dropout_saves_and_loads_in_safe_mode(tmp_path):
    x = keras.Input((8,))
    model = keras.Model(x, keras.layers.Dense(3)(FastDropout(0.5, seed=2, name="drop")(x)))
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(again.get_layer("drop"), FastDropout) and again.get_layer("drop").rate == 0.5
    data = np.random.default_rng(0).random((4, 8)).astype(np.float32)
    np.testing.assert_allclose(again.predict(data, verbose=0), model.predict(data, verbose=0), rtol=1e-6)


def test_the_importance_sampler_is_a_consistent_bound_on_the_shipped_vae():
    """Two independent streams of fast draws agree within Monte-Carlo noise, and k = 1000 samples give a
    tighter bound than one (Burda et al., Theorem 1). (Exactness when q = p: tests/test_vae.py.)"""
    import zoo
    from zoo.families.vae import importance
    from zoo.families.vae import measure as vae

    model = zoo.load("vae")
    x = vae.test_images(zoo.get("vae"))[0][:24]
    px_a, ll_a, spread = importance.importance_sample(model, x, 1000, seed=0, spread=True)
    _, ll_b = importance.importance_sample(model, x, 1000, seed=1)
    _, ll_1 = importance.importance_sample(model, x, 1, seed=0)
    assert px_a.shape == ll_a.shape == spread.shape == (24,)
    assert abs(ll_a.mean() - ll_b.mean()) < 0.6 and np.max(np.abs(ll_a - ll_b)) < 5.0  # measured: a few tenths
    assert ll_a.mean() > ll_1.mean()  # more samples, a higher (tighter) lower bound on log p(x)


def test_flop_count_of_a_dense_model():
    bench = _load_script("bench_flops", ROOT / "scripts" / "benchmarks" / "_flops.py")
    x = keras.Input((784,))
    model = keras.Model(x, keras.layers.Dense(10)(keras.layers.Dense(30)(x)))
    assert bench.forward_flops(model) == 2 * (784 * 30 + 30 * 10)
    assert bench.epoch_flops(model, 60_000) == 3 * 60_000 * 2 * (784 * 30 + 30 * 10)
