// vae-2d's latent plane under the pointer, decoded live; vae's fresh samples from z ~ N(0, I) drawn here.
"use strict";
(function () {
  const plane = document.getElementById("plane"), decoded = document.getElementById("decoded");
  const samples = document.getElementById("samples");
  let manifest = null, range = 4, busy = false, pending = null;

  function drawPlane(z) {
    const ctx = plane.getContext("2d"), s = plane.width;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, s, s);
    ctx.strokeStyle = "#ccc"; ctx.beginPath(); ctx.moveTo(s / 2, 0); ctx.lineTo(s / 2, s); ctx.moveTo(0, s / 2); ctx.lineTo(s, s / 2); ctx.stroke();
    const info = manifest["vae-2d"];
    info.points.forEach(([a, b], i) => { ctx.fillStyle = zoo.colors[info.labels[i]]; ctx.fillRect(toPx(a) - 1, toPx(-b) - 1, 3, 3); });
    if (z) { ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(toPx(z[0]), toPx(-z[1]), 7, 0, 2 * Math.PI); ctx.stroke(); }
  }
  function toPx(v) { return (v + range) / (2 * range) * plane.width; }
  function toZ(px) { return px / plane.width * 2 * range - range; }

  // z (2 numbers) -> vae-2d's decoded digit, drawn; resolves to the 784 pixel means.
  async function decode2d(z) {
    const out = await zoo.run("vae-2d-decode", z, [1, 2]);
    zoo.drawGray(decoded, out, 28, 28);
    document.getElementById("z").textContent = `(${z[0].toFixed(3)}, ${z[1].toFixed(3)})`;
    drawPlane(z);
    return Array.from(out);
  }

  // A seeded generator (mulberry32) and Box-Muller: the same seed draws the same z.
  function gaussians(n, seed) {
    let a = seed >>> 0;
    const uniform = () => { a = (a + 0x6D2B79F5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    const z = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - uniform())), t = 2 * Math.PI * uniform();
      z[i] = r * Math.cos(t); if (i + 1 < n) z[i + 1] = r * Math.sin(t);
    }
    return z;
  }

  // zs: 16 rows of vae's latent size -> the 4 x 4 grid of decoded means; resolves to the flat outputs.
  async function decodeSamples(zs) {
    const d = manifest["vae"].latent, n = zs.length / d;
    const out = await zoo.run("vae-decode", zs, [n, d]);
    for (let k = 0; k < n; k++) zoo.drawGray(samples, out, 28, 28, 784 * k, 28 * (k % 4), 28 * Math.floor(k / 4));
    return Array.from(out);
  }
  async function drawSamples() {
    const seed = parseInt(document.getElementById("seed").value || "0", 10);
    await decodeSamples(gaussians(16 * manifest["vae"].latent, seed));
    zoo.status(`16 samples of vae, seed ${seed}`);
  }

  plane.addEventListener("pointermove", e => {
    if (!manifest) return;
    const r = plane.getBoundingClientRect();
    pending = [toZ((e.clientX - r.left) * plane.width / r.width), -toZ((e.clientY - r.top) * plane.height / r.height)];
    if (busy) return;  // decode the latest position once the running decode is done
    busy = true;
    (async () => { while (pending) { const z = pending; pending = null; await decode2d(z); } busy = false; })()
      .catch(err => zoo.status(String(err), true));
  });
  document.getElementById("sample").addEventListener("click", () => {
    document.getElementById("seed").value = String(parseInt(document.getElementById("seed").value || "0", 10) + 1);
    drawSamples().catch(err => zoo.status(String(err), true));
  });

  Object.assign(window.zooDemo, { decode2d, decodeSamples, gaussians });
  window.zooDemo.ready = (async () => {
    manifest = await zoo.json("vae");
    const info = manifest["vae-2d"];
    range = Math.min(4, Math.ceil(Math.max(...info.points.map(p => Math.max(Math.abs(p[0]), Math.abs(p[1]))))));
    document.getElementById("legend").innerHTML = zoo.colors.map((c, d) => `<span style="color:${c}">&#9632; ${d}</span>`).join(" ");
    await decode2d([0, 0]);
    await drawSamples();
  })().catch(err => { zoo.status(String(err), true); throw err; });
})();
