// Twin spirals: each net's output unit and hidden units over a grid of the plane, computed here (ONNX).
"use strict";
(function () {
  const N = 96, EXTENT = 1.2;  // grid points per side over [-1.2, 1.2]^2 (the data lie in [-1, 1])

  function grid() {
    const g = new Float32Array(2 * N * N);
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) {
      g[2 * (r * N + c)] = -EXTENT + 2 * EXTENT * c / (N - 1);
      g[2 * (r * N + c) + 1] = EXTENT - 2 * EXTENT * r / (N - 1);  // row 0 at the top: y up
    }
    return g;
  }

  // one unit's values over the grid into `canvas`: sigmoid (output) white->orange, tanh blue-white-red
  function paint(canvas, out, width, unit, sigmoid) {
    const ctx = canvas.getContext("2d"), image = ctx.createImageData(N, N);
    for (let i = 0; i < N * N; i++) {
      const v = out[i * width + unit];
      const rgb = sigmoid ? [255, Math.round(255 - 128 * v), Math.round(255 - 255 * v)]
        : v >= 0 ? [255, Math.round(255 * (1 - v)), Math.round(255 * (1 - v))] : [Math.round(255 * (1 + v)), Math.round(255 * (1 + v)), 255];
      image.data.set([...rgb, 255], 4 * i);
    }
    ctx.putImageData(image, 0, 0);
  }

  function dots(canvas, data) {
    const ctx = canvas.getContext("2d"), s = canvas.width / N;
    data.points.forEach(([x, y], i) => {
      ctx.fillStyle = data.labels[i] ? "#000" : "#fff";  // spiral A black, spiral B white, both outlined
      ctx.strokeStyle = data.labels[i] ? "#fff" : "#000";
      ctx.beginPath(); ctx.arc(((x + EXTENT) / (2 * EXTENT) * (N - 1) + .5) * s, ((EXTENT - y) / (2 * EXTENT) * (N - 1) + .5) * s, 3, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    });
  }

  // points: flat (x, y) pairs -> every unit's activation per point (hidden units first, the output last)
  async function units(name, points) {
    return Array.from(await zoo.run(`${name}-units`, points, [points.length / 2, 2]));
  }

  async function net(name, info, data) {
    const width = info.widths.reduce((a, b) => a + b, 0);
    const out = await zoo.run(`${name}-units`, grid(), [N * N, 2]);
    const el = document.createElement("section");
    const hidden = info.widths.slice(0, -1).map((w, l) => `<h3>${info.names[l]}: ${w} tanh units</h3><div class="units">` +
      [...Array(w).keys()].map(u => `<figure><canvas data-unit="${info.widths.slice(0, l).reduce((a, b) => a + b, 0) + u}" width="${N}" height="${N}"></canvas><figcaption>${u + 1}</figcaption></figure>`).join("") + "</div>").join("");
    el.innerHTML = `<h2><a href="../entries/${name}.html">${name}</a></h2><div class="demo"><canvas class="decision light" width="${N}" height="${N}" style="width:384px;height:384px"></canvas><div>${hidden}</div></div>`;
    document.getElementById("nets").append(el);
    const big = el.querySelector(".decision");
    paint(big, out, width, width - 1, true);
    const scaled = document.createElement("canvas");  // the points drawn at full resolution over the region
    scaled.width = 384; scaled.height = 384;
    const sctx = scaled.getContext("2d"); sctx.imageSmoothingEnabled = false; sctx.drawImage(big, 0, 0, 384, 384);
    dots(scaled, data);
    big.width = 384; big.height = 384; big.getContext("2d").drawImage(scaled, 0, 0);
    el.querySelectorAll("canvas[data-unit]").forEach(c => paint(c, out, width, parseInt(c.dataset.unit, 10), false));
  }

  window.zooDemo.units = units;
  window.zooDemo.ready = (async () => {
    const data = await zoo.json("spirals");
    for (const [name, info] of Object.entries(data.entries)) await net(name, info, data);
    zoo.status(`${Object.keys(data.entries).length} nets, ${N} x ${N} points each, computed in this page`);
  })().catch(err => { zoo.status(String(err), true); throw err; });
})();
