// Which tfjs backend the page trains on: WebGPU, then WebGL, then wasm (then the pure
// JavaScript cpu backend, which is always there), each with why the faster ones were passed
// over; and how much memory a page may plan for on it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../backends/tfjs/wasm-kernels.js';
import type { BackendReport } from './api.js';

export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm';

/** A backend asked for by name that this browser cannot give: one line saying why. */
export class BackendUnavailable extends Error {}

interface GpuAdapter {
  info?: { isFallbackAdapter?: boolean; description?: string; vendor?: string };
  isFallbackAdapter?: boolean;
}

/** Why WebGPU cannot train here, or undefined when it can (a software adapter counts as cannot for `auto`). */
async function webgpuProblem(softwareOk: boolean): Promise<string | undefined> {
  const gpu = (globalThis.navigator as unknown as { gpu?: { requestAdapter(o?: object): Promise<GpuAdapter | null> } } | undefined)?.gpu;
  if (!gpu) return 'this browser has no WebGPU';
  let adapter: GpuAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return `WebGPU gave no adapter (${(e as Error).message})`;
  }
  if (!adapter) return 'WebGPU gave no adapter (no usable GPU, or WebGPU is off)';
  if (!softwareOk && (adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter)) return "WebGPU's only adapter is a software one, slower than wasm";
  return undefined;
}

/** The WebGL renderer's name, where the browser tells it (SwiftShader is Chrome's software renderer). */
function webglRenderer(): string {
  const gl = webglContext();
  if (!gl) return '';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
}

/** The WebGL context of tfjs's WebGL backend (when that is the current backend). */
export function webglContext(): WebGL2RenderingContext | WebGLRenderingContext | undefined {
  const b = tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } };
  return b?.gpgpu?.gl;
}

const isSoftware = (renderer: string) => /swiftshader|llvmpipe|software|basic render/i.test(renderer);

async function tryWebgl(softwareOk: boolean): Promise<{ ok: true; why?: string } | { ok: false; why: string }> {
  // tfjs refuses a context with a "major performance caveat" (a software renderer) unless told
  // otherwise: only when WebGL was asked for by name
  tf.env().set('SOFTWARE_WEBGL_ENABLED', softwareOk);
  let ok = false;
  try {
    ok = await tf.setBackend('webgl');
  } catch {
    ok = false;
  }
  if (!ok) return { ok: false, why: softwareOk ? 'this browser gives no WebGL context' : 'this browser gives no hardware WebGL context' };
  // training in half precision would not be the function hwy trains in Node
  if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) return { ok: false, why: 'WebGL here cannot render to float32 textures (training needs them)' };
  const renderer = webglRenderer();
  if (isSoftware(renderer)) {
    if (!softwareOk) return { ok: false, why: `WebGL here is ${renderer}, a software renderer slower than wasm` };
    return { ok: true, why: `as asked; WebGL here is ${renderer}, a software renderer` };
  }
  return { ok: true };
}

/**
 * Why tfjs could not start its wasm backend, where the reason is its binary (tfjs only warns
 * in the console): the site does not serve the file it fetches (a host that copied the
 * site without its .wasm files).
 */
async function missingWasm(wasmUrl: string | undefined): Promise<string> {
  try {
    const file = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
    const url = new URL(file, new URL(wasmUrl ?? './', globalThis.location?.href)).href;
    const res = await fetch(url, { method: 'HEAD' });
    return res.ok ? '' : ` (${url}: the site answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}; it serves tfjs-backend-wasm's .wasm files beside the page)`;
  } catch {
    return '';
  }
}

async function tryWasm(wasmUrl: string | undefined): Promise<string | undefined> {
  try {
    if (wasmUrl) setWasmPaths(wasmUrl.endsWith('/') ? wasmUrl : `${wasmUrl}/`);
    // threads would need a cross-origin-isolated page, a third .wasm file and a blob: worker
    // (which the playground's policy refuses): the plain or SIMD build, on the page's thread
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    registerWasmTrainingKernels();
    if (await tf.setBackend('wasm')) return undefined;
    return `the wasm backend did not start${await missingWasm(wasmUrl)}`;
  } catch (e) {
    return `the wasm backend failed to load (${(e as Error).message})`;
  }
}

/**
 * Starts the backend asked for. `auto`: WebGPU, then WebGL (hardware only: a software
 * renderer is slower than wasm), then wasm, then cpu, saying why each faster one was passed
 * over. A backend named outright is that one, or BackendUnavailable.
 */
export async function selectBrowserBackend(choice: BackendChoice, wasmUrl?: string): Promise<BackendReport> {
  const passed: string[] = [];
  const auto = choice === 'auto';
  if (auto || choice === 'webgpu') {
    let problem = await webgpuProblem(!auto);
    if (!problem && !(await tf.setBackend('webgpu').catch(() => false))) problem = 'the WebGPU backend did not start';
    if (!problem) return { name: 'webgpu' };
    if (!auto) throw new BackendUnavailable(`WebGPU: ${problem}`);
    passed.push(problem);
  }
  if (auto || choice === 'webgl') {
    const r = await tryWebgl(!auto);
    if (r.ok) return r.why ? { name: 'webgl', why: r.why } : { name: 'webgl' };
    if (!auto) throw new BackendUnavailable(`WebGL: ${r.why}`);
    passed.push(r.why);
  }
  const problem = await tryWasm(wasmUrl);
  if (!problem) return { name: 'wasm', why: auto ? `no GPU backend: ${passed.join('; ')}` : 'as asked' };
  if (!auto) throw new BackendUnavailable(`wasm: ${problem}`);
  passed.push(problem);
  await tf.setBackend('cpu');
  return { name: 'cpu', why: `nothing faster: ${passed.join('; ')} (the cpu backend is plain JavaScript, slow)` };
}

/** A GiB. */
const GIB = 2 ** 30;

/**
 * What a page may plan to use: half the device memory the browser reports
 * (navigator.deviceMemory, which Chrome rounds and caps at 8 GiB; 4 GiB assumed where it
 * says nothing), and on wasm at most 2 GiB (a 32-bit WebAssembly heap holds 4 GiB, the data
 * and tfjs's own buffers included). A GPU's own memory is not visible to a page.
 */
export function pageMemory(backend: BackendReport['name']): { bytes: number; source: string } {
  const reported = (globalThis.navigator as unknown as { deviceMemory?: number } | undefined)?.deviceMemory;
  const device = reported && reported > 0 ? reported * GIB : 4 * GIB;
  const half = device / 2;
  const what = reported ? `half the ${reported} GiB of memory the browser reports` : 'half the 4 GiB assumed where the browser does not report its memory';
  if ((backend === 'wasm' || backend === 'cpu') && half > 2 * GIB) return { bytes: 2 * GIB, source: 'what a page may use on wasm (its heap holds 4 GiB, shared with the data)' };
  return { bytes: half, source: `what this page may use (${what})` };
}
