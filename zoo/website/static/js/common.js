// Shared by the demos: the ONNX runtime (wasm, one thread: no SharedArrayBuffer needed from a plain
// http.server), JSON loading, drawing grey images, and a status line that reports errors.
"use strict";
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
// The runtime imports its wasm glue from this folder; resolved against the page, not the script.
ort.env.wasm.wasmPaths = new URL("../ort/", document.baseURI).href;

const zoo = {
  sessions: {},
  async session(name) {
    if (!this.sessions[name]) {
      this.sessions[name] = ort.InferenceSession.create(new URL(`../models/${name}.onnx`, document.baseURI).href,
                                                        { executionProviders: ["wasm"] });
    }
    return this.sessions[name];
  },
  // Run a one-input model on float32 `data` of shape `dims`; returns the first output's data.
  async run(name, data, dims) {
    const session = await this.session(name);
    const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", Float32Array.from(data), dims) };
    const results = await session.run(feeds);
    return results[session.outputNames[0]].data;
  },
  async json(name) {
    const response = await fetch(new URL(`../data/${name}.json`, document.baseURI).href);
    if (!response.ok) throw new Error(`data/${name}.json: ${response.status}`);
    return response.json();
  },
  // values in [0, 1], row-major h x w, drawn white on black into `canvas` (scaled by CSS or drawImage)
  drawGray(canvas, values, w, h, offset = 0, dx = 0, dy = 0) {
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      const v = Math.round(Math.min(1, Math.max(0, values[offset + i])) * 255);
      image.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(image, dx, dy);
  },
  status(text, error = false) {
    const el = document.getElementById("status");
    el.textContent = text;
    el.classList.toggle("error", error);
    if (error) console.error(text);
  },
  // ten distinct colours for the digit classes (the latent scatter)
  colors: ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"],
};
// The tests wait on zooDemo.ready and call each page's hooks with fixed inputs.
window.zooDemo = {};
