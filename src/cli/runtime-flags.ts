// V8 settings made once at start, before any module is compiled to WebAssembly.
//
// undici parses HTTP responses with llhttp compiled to WebAssembly. V8 first compiles a module with
// its baseline compiler (Liftoff), then recompiles hot functions with its optimizing one (TurboFan),
// which for llhttp takes ~30 MB of transient compiler memory on background threads — at the daemon's
// first delivery, while the inputs are busiest, so it lands on the process's peak RSS (measured: peak
// 182–192 MB → 170 MB on bench:daemon's tail run, at the same speed). Baseline code is plenty for
// parsing a few response headers per request.
import { setFlagsFromString } from 'node:v8';
import { startGcPacer } from '../core/gc-pacer.js';

export function setRuntimeFlags(): void {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--semi-space-growth-factor=1');
  startGcPacer();
}
