/**
 * The inspector's speed in the browser (part of `npm run bench:browser`):
 * for each size, a frame stored as the library stores it (strips in
 * IndexedDB: float32 as a product's plane, uint16 as a raw frame's) is
 * opened through the inspector worker exactly as the view does it, and timed:
 *  - first picture: from asking to open until a picture is on the canvas,
 *    and until the full-resolution picture with its final limits is;
 *  - re-render after a scale change and after a colormap change (median of 5);
 *  - pan: frames painted per second while the view moves every page frame.
 * Baselines measured in the same page: reading every strip from IndexedDB
 * (what any first picture must wait for) and summing every pixel once.
 * And the same render on WebGL2 where the browser offers it (here Chromium
 * without a GPU: SwiftShader), to decide between the two.
 */
import { fitView, panBy, type View } from '../src/core/display/viewport';
import { buildLut, LUT_SIZE } from '../src/core/display/lut';
import { zscale } from '../src/core/kernels/zscale';
import { readPlaneRows, storeFile, stripRowsFor, toStrips } from '../src/db/files';
import { getDb } from '../src/db/schema';
import type { FileRecord } from '../src/db/types';
import { attachCanvas, inspector, onLoadProgress } from '../workers/inspectorClient';
import type { DisplaySettings, DrawResult, PaneState } from '../workers/inspector/protocol';
import { floorSeconds, skyFrame } from './lib';

const CANVAS = { width: 1400, height: 800 };
const DISPLAY: DisplaySettings = { limits: { kind: 'zscale' }, scale: 'linear', exponent: 1000, colormap: 'grey', contrast: 1, bias: 0.5, invert: false };

async function storeFrame(data: Float32Array, size: number, kind: 'float32' | 'uint16'): Promise<string> {
  const id = `bench-${kind}-${size}-${Math.random().toString(36).slice(2)}`;
  const stripRows = stripRowsFor(size);
  const record: FileRecord = {
    id, name: `bench_${kind}_${size}.fits`, path: '', size: data.byteLength, addedAt: Date.now(), status: 'ok', message: '',
    hdus: [{ index: 0, xtension: 'PRIMARY', extname: 'PRIMARY', bitpix: kind === 'uint16' ? 16 : -32, naxis: [size, size], isImage: true }],
    imageHdu: 0, width: size, height: size, depth: 1, stripRows,
    descriptors: { sources: {}, sourceHdu: {} }, auto: { type: 'science', reason: 'benchmark frame' }, type: 'science',
  };
  const pixels = kind === 'uint16' ? Float32Array.from(data, (v) => Math.max(0, Math.min(65535, Math.round(v)))) : data;
  await storeFile(getDb(), record, { fileId: id, hdus: [{ index: 0, extname: 'PRIMARY', cards: [] }] }, toStrips(id, 0, 0, pixels, size, size, stripRows));
  return id;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => +x.toFixed(1);

async function timeOpen(paneId: string, id: string, size: number): Promise<{ first: number; full: number; limits: DrawResult['limits']; view: View }> {
  const api = inspector();
  const view = fitView({ width: size, height: size }, CANVAS);
  const state: PaneState = { ref: { fileId: id, image: 0, plane: 'sci', slice: 0 }, view, display: DISPLAY };
  const t0 = performance.now();
  let first = NaN;
  return new Promise((resolve, reject) => {
    let done = false;
    const onDrawn = (r: DrawResult) => {
      if (done) return;
      if (r.error) { done = true; stop(); reject(new Error(r.error)); return; }
      if (r.loadedRows > 0 && Number.isNaN(first)) first = performance.now() - t0;
      if (r.loadedRows === r.height && r.height > 0) {
        done = true;
        stop();
        resolve({ first, full: performance.now() - t0, limits: r.limits, view });
      }
    };
    // As the view does: draw when the frame is open and again whenever rows land.
    const stop = onLoadProgress((p) => { if (p.fileId === id) void api.draw(paneId, state).then(onDrawn); });
    void api.open(id).then(() => api.draw(paneId, state).then(onDrawn), reject);
  });
}

/**
 * Time from a display change to its picture, each change new (a table never
 * built before, as a contrast drag or a first switch makes): median of 6,
 * and the paint alone in the worker.
 */
async function timeRerender(paneId: string, base: PaneState, change: (k: number) => Partial<DisplaySettings>): Promise<{ seconds: number; paint_ms: number }> {
  const api = inspector();
  const times: number[] = [];
  const paints: number[] = [];
  for (let k = 0; k < 6; k++) {
    const state = { ...base, display: { ...base.display, ...change(k) } };
    const t0 = performance.now();
    const r = await api.draw(paneId, state);
    times.push(performance.now() - t0);
    paints.push(r.ms);
  }
  return { seconds: +(median(times) / 1000).toFixed(4), paint_ms: ms(median(paints)) };
}

async function timePan(paneId: string, base: PaneState, seconds = 2): Promise<{ fps: number; paint_ms: number; requests_per_s: number }> {
  const api = inspector();
  let view = { ...base.view, zoom: 1 };
  const first = await api.draw(paneId, { ...base, view });
  const paintMs: number[] = [];
  let last = first.paints;
  let requests = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      if (performance.now() - t0 > seconds * 1000) return resolve();
      view = panBy(view, 3, 1);
      requests++;
      void api.draw(paneId, { ...base, view }).then((r) => { if (r.paints > last) { last = r.paints; paintMs.push(r.ms); } });
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const end = await api.draw(paneId, { ...base, view });
  const elapsed = (performance.now() - t0) / 1000;
  return { fps: +((end.paints - first.paints) / elapsed).toFixed(1), paint_ms: ms(median(paintMs)), requests_per_s: +(requests / elapsed).toFixed(1) };
}

async function idbReadSeconds(id: string, size: number): Promise<number> {
  const file = { id, width: size, stripRows: stripRowsFor(size) };
  const out = new Float32Array(size * size);
  const t0 = performance.now();
  await readPlaneRows(getDb(), file, 0, 0, 0, size, out);
  return (performance.now() - t0) / 1000;
}

/** The same picture on WebGL2 (float texture + LUT texture), for comparison; undefined without WebGL2. */
function webglRender(data: Float32Array, size: number): Record<string, unknown> | undefined {
  const canvas = document.createElement('canvas');
  canvas.width = CANVAS.width;
  canvas.height = CANVAS.height;
  const gl = canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: false });
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
  const vs = `#version 300 es
  in vec2 p; out vec2 uv; uniform vec4 view; // cx, cy, zoom, unused
  uniform vec2 canvas; uniform vec2 frame;
  void main() { gl_Position = vec4(p, 0.0, 1.0);
    vec2 s = (p * 0.5 + 0.5) * canvas; // device pixels, y up
    uv = vec2(view.x + (s.x - canvas.x / 2.0) / view.z, view.y + (s.y - canvas.y / 2.0) / view.z); }`;
  const fs = `#version 300 es
  precision highp float; in vec2 uv; out vec4 colour;
  uniform highp sampler2D img; uniform highp sampler2D lut; uniform vec2 frame; uniform vec2 map; // low, factor
  void main() { ivec2 ij = ivec2(floor(uv + 0.5));
    if (ij.x < 0 || ij.y < 0 || float(ij.x) >= frame.x || float(ij.y) >= frame.y) { colour = vec4(0.04, 0.07, 0.1, 1.0); return; }
    float v = texelFetch(img, ij, 0).r; float t = clamp((v - map.x) * map.y, 0.0, 65535.0);
    int k = int(t + 0.5); colour = texelFetch(lut, ivec2(k & 255, k >> 8), 0); }`;
  const compile = (type: number, src: string) => { const sh = gl.createShader(type)!; gl.shaderSource(sh, src); gl.compileShader(sh); return sh; };
  const prog = gl.createProgram()!;
  gl.attachShader(prog, compile(gl.VERTEX_SHADER, vs));
  gl.attachShader(prog, compile(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) return { renderer, error: gl.getProgramInfoLog(prog) };
  gl.useProgram(prog);
  const buf = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, buf);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  const loc = gl.getAttribLocation(prog, 'p');
  gl.enableVertexAttribArray(loc);
  gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
  const finish = () => { const px = new Uint8Array(4); gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); };
  let t0 = performance.now();
  const tex = gl.createTexture();
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, tex);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, size, size, 0, gl.RED, gl.FLOAT, data);
  for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER]) gl.texParameteri(gl.TEXTURE_2D, p, gl.NEAREST);
  finish();
  const upload = (performance.now() - t0) / 1000;
  const z = zscale(data, { width: size, height: size });
  const lutWords = buildLut({ ...DISPLAY, low: z.z1, high: z.z2 });
  const lutTex = gl.createTexture();
  gl.activeTexture(gl.TEXTURE1);
  gl.bindTexture(gl.TEXTURE_2D, lutTex);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, LUT_SIZE / 256, 0, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(lutWords.buffer));
  for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER]) gl.texParameteri(gl.TEXTURE_2D, p, gl.NEAREST);
  gl.uniform1i(gl.getUniformLocation(prog, 'img'), 0);
  gl.uniform1i(gl.getUniformLocation(prog, 'lut'), 1);
  gl.uniform2f(gl.getUniformLocation(prog, 'canvas'), CANVAS.width, CANVAS.height);
  gl.uniform2f(gl.getUniformLocation(prog, 'frame'), size, size);
  gl.uniform2f(gl.getUniformLocation(prog, 'map'), z.z1, (LUT_SIZE - 1) / (z.z2 - z.z1));
  gl.viewport(0, 0, CANVAS.width, CANVAS.height);
  const draws: number[] = [];
  for (let k = 0; k < 8; k++) {
    gl.uniform4f(gl.getUniformLocation(prog, 'view'), size / 2 + k * 3, size / 2, 1, 0);
    t0 = performance.now();
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    finish();
    if (k > 0) draws.push(performance.now() - t0);
  }
  return { renderer, upload_seconds: +upload.toFixed(4), draw_ms: ms(median(draws)) };
}

export async function benchInspector(sizes: number[], emit: (o: unknown) => void): Promise<void> {
  const host = document.createElement('canvas');
  host.style.width = `${CANVAS.width}px`;
  host.style.height = `${CANVAS.height}px`;
  document.body.append(host);
  const paneId = 'bench-pane';
  await attachCanvas(paneId, host);
  await inspector().resizePane(paneId, CANVAS.width, CANVAS.height);
  // As the app does when idle (warmInspector): the worker's database is open before the first frame.
  await inspector().warm();
  for (const size of sizes) {
    const data = skyFrame(size, size, 77);
    const floor = floorSeconds([data]);
    for (const kind of ['float32', 'uint16'] as const) {
      const id = await storeFrame(data, size, kind);
      const idb = await idbReadSeconds(id, size);
      const open = await timeOpen(paneId, id, size);
      const base: PaneState = { ref: { fileId: id, image: 0, plane: 'sci', slice: 0 }, view: open.view, display: DISPLAY };
      const common = { width: size, height: size, stored: kind, canvas: `${CANVAS.width}x${CANVAS.height}`, idb_read_seconds: +idb.toFixed(4), floor_seconds: +floor.toFixed(4) };
      emit({ kernel: 'inspect_first_picture', ...common, seconds: +(open.first / 1000).toFixed(4), full_resolution_seconds: +(open.full / 1000).toFixed(4) });
      const scales = ['log', 'sqrt', 'asinh', 'pow', 'squared', 'sinh'] as const;
      const maps = ['viridis', 'heat', 'inferno', 'cool', 'magma', 'plasma'] as const;
      emit({ kernel: 'inspect_rerender_scale', ...common, ...(await timeRerender(paneId, base, (k) => ({ scale: scales[k], exponent: 1000 + k }))) });
      emit({ kernel: 'inspect_rerender_colormap', ...common, ...(await timeRerender(paneId, base, (k) => ({ colormap: maps[k], bias: 0.5 + k / 100 }))) });
      // Histogram equalization with new limits each time: a pass over the whole frame for its distribution.
      const z = open.limits;
      emit({ kernel: 'inspect_rerender_histequ', ...common, ...(await timeRerender(paneId, base, (k) => ({ scale: 'histequ', limits: { kind: 'user', low: z.low - k, high: z.high + k } }))) });
      emit({ kernel: 'inspect_pan', ...common, ...(await timePan(paneId, base)) });
      await inspector().close(id);
    }
    let gl: Record<string, unknown> | undefined;
    try {
      gl = webglRender(data, size) ?? { webgl2: false };
    } catch (err) {
      gl = { error: String(err) };
    }
    emit({ kernel: 'inspect_webgl_probe', width: size, height: size, canvas: `${CANVAS.width}x${CANVAS.height}`, ...gl });
  }
}
