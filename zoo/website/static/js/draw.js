// Draw a digit: the pad's strokes become a 784-vector as MNIST's were made, and every classifier runs on it.
"use strict";
(function () {
  const pad = document.getElementById("pad"), input = document.getElementById("input");
  const ctx = pad.getContext("2d");
  let manifest = null, drawing = false, last = null;

  function clearPad() { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, pad.width, pad.height); }
  clearPad();

  // MNIST's recipe: the digit's bounding box fitted into 20 x 20 (aspect kept, anti-aliased), then
  // placed in 28 x 28 so that its centre of mass is the centre.
  function toMnist() {
    const src = ctx.getImageData(0, 0, pad.width, pad.height).data;
    let x0 = pad.width, y0 = pad.height, x1 = -1, y1 = -1;
    for (let y = 0; y < pad.height; y++) for (let x = 0; x < pad.width; x++) {
      if (src[4 * (y * pad.width + x)] > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
    const out = new Float32Array(784);
    if (x1 < 0) return out;
    const w = x1 - x0 + 1, h = y1 - y0 + 1, scale = 20 / Math.max(w, h);
    const sw = Math.max(1, Math.round(w * scale)), sh = Math.max(1, Math.round(h * scale));
    const small = document.createElement("canvas");
    small.width = 20; small.height = 20;
    const sctx = small.getContext("2d");
    sctx.imageSmoothingQuality = "high";
    sctx.drawImage(pad, x0, y0, w, h, 0, 0, sw, sh);
    const px = sctx.getImageData(0, 0, 20, 20).data;
    let mass = 0, mx = 0, my = 0;
    for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) { const v = px[4 * (y * 20 + x)] / 255; mass += v; mx += v * x; my += v * y; }
    const ox = Math.round(14 - (mass ? mx / mass : sw / 2)), oy = Math.round(14 - (mass ? my / mass : sh / 2));
    for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) {
      const tx = x + ox, ty = y + oy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = px[4 * (y * 20 + x)] / 255;
    }
    return out;
  }

  function table() {
    const head = "<tr><th>entry</th>" + [...Array(10).keys()].map(d => `<th>${d}</th>`).join("") + "<th>says</th></tr>";
    const rows = manifest.models.map(m => `<tr data-entry="${m.name}"><td><a href="../entries/${m.name}.html">${m.name}</a></td>` +
      [...Array(10).keys()].map(d => `<td><span class="bar" style="width:0"></span><span class="p" data-digit="${d}">-</span></td>`).join("") +
      `<td class="says">-</td></tr>`).join("");
    document.getElementById("outputs").innerHTML = head + rows;
  }

  // Runs every model on `pixels` (784 values in [0, 1]) and shows its outputs; resolves to {entry: outputs}.
  async function classify(pixels) {
    zoo.drawGray(input, pixels, 28, 28);
    const results = {};
    for (const m of manifest.models) {
      const out = Array.from(await zoo.run(m.name, pixels, [1, ...m.shape]));
      results[m.name] = out;
      const row = document.querySelector(`tr[data-entry="${m.name}"]`);
      const best = out.indexOf(Math.max(...out));
      row.querySelectorAll("td").forEach((td, i) => { if (i >= 1 && i <= 10) td.classList.toggle("best", i - 1 === best); });
      row.querySelectorAll(".p").forEach((el, d) => { el.textContent = out[d].toFixed(4); });
      row.querySelectorAll(".bar").forEach((el, d) => { el.style.width = `${Math.round(Math.max(0, Math.min(1, out[d])) * 30)}px`; });
      row.querySelector(".says").textContent = String(best);
    }
    zoo.status(`${manifest.models.length} models ran on the input`);
    return results;
  }

  function point(e) { const r = pad.getBoundingClientRect(); return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height]; }
  pad.addEventListener("pointerdown", e => { drawing = true; last = point(e); pad.setPointerCapture(e.pointerId); });
  pad.addEventListener("pointermove", e => {
    if (!drawing) return;
    const p = point(e);
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 20; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...p); ctx.stroke();
    last = p;
    live();
  });
  pad.addEventListener("pointerup", () => { drawing = false; live(); });

  // The outputs follow the pen: all the models take a few milliseconds, so every move runs them,
  // at most one run at a time (a move during a run asks for one more run afterwards).
  let busy = false, again = false;
  function live() {
    if (!manifest) return;
    if (busy) { again = true; return; }
    busy = true;
    (async () => { do { again = false; await classify(toMnist()); } while (again); busy = false; })()
      .catch(err => { busy = false; zoo.status(String(err), true); });
  }
  document.getElementById("clear").addEventListener("click", () => { clearPad(); zoo.drawGray(input, new Float32Array(784), 28, 28); });

  window.zooDemo.classify = classify;
  window.zooDemo.toMnist = toMnist;
  window.zooDemo.ready = (async () => {
    manifest = await zoo.json("classifiers");
    table();
    document.getElementById("digits").innerHTML = manifest.digits.map(d => `<button data-index="${d.index}">${d.label}</button>`).join(" ");
    document.querySelectorAll("#digits button").forEach((b, i) => b.addEventListener("click", () => {
      clearPad();
      classify(Float32Array.from(manifest.digits[i].pixels)).catch(err => zoo.status(String(err), true));
    }));
    window.zooDemo.digits = manifest.digits;
    await classify(Float32Array.from(manifest.digits[7].pixels));  // a test digit to start with (and to load every model)
  })().catch(err => { zoo.status(String(err), true); throw err; });
})();
