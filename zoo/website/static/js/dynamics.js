// The encoders' hidden codes at each training snapshot, with a slider; the loss curve marks the epoch.
"use strict";
(function () {
  const S = 300;  // pixels per code-space panel, [-1, 1] on each axis (tanh codes)
  const px = v => (v + 1.1) / 2.2 * S;

  function panel(ctx, ox, codes, a, b, w, bias, last) {
    ctx.save(); ctx.translate(ox, 0);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, S, S);
    ctx.strokeStyle = "#bbb"; ctx.strokeRect(px(-1), px(-1), px(1) - px(-1), px(1) - px(-1));
    if (last && w) {  // output unit j's line: w[a][j] h_a + w[b][j] h_b + bias[j] = 0 (2-D codes only)
      ctx.strokeStyle = "rgba(43,108,176,.45)";
      for (let j = 0; j < bias.length; j++) {
        const wa = w[a][j], wb = w[b][j], c = bias[j];
        ctx.beginPath();
        if (Math.abs(wb) > Math.abs(wa)) { ctx.moveTo(px(-1.1), px(-(-c - wa * -1.1) / wb)); ctx.lineTo(px(1.1), px(-(-c - wa * 1.1) / wb)); }
        else { ctx.moveTo(px((-c - wb * -1.1) / wa), px(1.1)); ctx.lineTo(px((-c - wb * 1.1) / wa), px(-1.1)); }
        ctx.stroke();
      }
    }
    const labels = new Map();  // codes that project onto the same spot (the cube's corners) share one label
    codes.forEach((code, i) => {
      const x = px(code[a]), y = px(-code[b]), key = `${Math.round(x / 6)},${Math.round(y / 6)}`;
      ctx.fillStyle = "#d62728"; ctx.beginPath(); ctx.arc(x, y, 4, 0, 2 * Math.PI); ctx.fill();
      labels.set(key, labels.has(key) ? [labels.get(key)[0], labels.get(key)[1], labels.get(key)[2] + "," + (i + 1)] : [x, y, String(i + 1)]);
    });
    ctx.fillStyle = "#000"; ctx.font = "12px sans-serif";
    for (const [x, y, text] of labels.values()) {
      const w = ctx.measureText(text).width;
      ctx.fillText(text, x + 6 + w > S ? x - 6 - w : x + 6, y - 6 < 12 ? y + 16 : y - 4);  // kept inside the panel
    }
    ctx.fillStyle = "#555"; ctx.font = "12px sans-serif"; ctx.fillText(`h${a + 1} →   h${b + 1} ↑`, 6, S - 6);
    ctx.restore();
  }

  function lossCurve(canvas, loss, epoch) {
    const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
    const logs = loss.map(v => Math.log10(Math.max(v, 1e-6))), lo = Math.min(...logs), hi = Math.max(...logs);
    ctx.strokeStyle = "#2b6cb0"; ctx.beginPath();
    logs.forEach((v, i) => { const x = i / (loss.length - 1) * w, y = h - 4 - (v - lo) / (hi - lo || 1) * (h - 8); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.stroke();
    ctx.strokeStyle = "#d62728"; const x = (epoch - 1) / (loss.length - 1) * w;
    ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, h); ctx.stroke();
    ctx.fillStyle = "#555"; ctx.font = "11px sans-serif"; ctx.fillText("loss (log scale) per epoch", 6, 12);
  }

  function section(name, d) {
    const k = d.codes[0][0].length, pairs = k === 2 ? [[0, 1]] : [[0, 1], [0, 2], [1, 2]];
    const el = document.createElement("section");
    el.innerHTML = `<h2><a href="../entries/${name}.html">${name}</a></h2>
      <div class="controls"><button class="play">play</button><input class="slider" type="range" min="0" max="${d.epochs.length - 1}" value="0" style="width:360px">
      <span class="label"></span></div>
      <canvas class="codes light" width="${S * pairs.length}" height="${S}"></canvas><br>
      <canvas class="loss light" width="${Math.min(S * pairs.length, 600)}" height="110"></canvas>`;
    document.getElementById("encoders").append(el);
    const slider = el.querySelector(".slider"), canvas = el.querySelector(".codes");
    function show(i) {
      slider.value = String(i);
      const last = i === d.epochs.length - 1, epoch = d.epochs[i];
      pairs.forEach(([a, b], p) => panel(canvas.getContext("2d"), p * S, d.codes[i], a, b, k === 2 ? d.output_w : null, d.output_b, last));
      lossCurve(el.querySelector(".loss"), d.loss, epoch);
      el.querySelector(".label").textContent = `snapshot ${i + 1} of ${d.epochs.length}: epoch ${epoch}, loss ${d.loss[epoch - 1].toFixed(4)}` + (last && k === 2 ? " (lines: the final output units)" : "");
    }
    slider.addEventListener("input", () => show(parseInt(slider.value, 10)));
    let timer = null;
    el.querySelector(".play").addEventListener("click", () => {
      if (timer) { clearInterval(timer); timer = null; return; }
      let i = parseInt(slider.value, 10) === d.epochs.length - 1 ? 0 : parseInt(slider.value, 10);
      timer = setInterval(() => { show(i); if (++i >= d.epochs.length) { clearInterval(timer); timer = null; } }, 120);
    });
    show(d.epochs.length - 1);
    return show;
  }

  window.zooDemo.ready = (async () => {
    const data = await zoo.json("dynamics");
    window.zooDemo.show = {};
    for (const [name, d] of Object.entries(data)) window.zooDemo.show[name] = section(name, d);
    zoo.status(`${Object.keys(data).length} encoders, snapshots from their artifacts' history.npz`);
  })().catch(err => { zoo.status(String(err), true); throw err; });
})();
