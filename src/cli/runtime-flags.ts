// V8 settings made once at start, before any module is compiled to WebAssembly.
//
// undici parses HTTP responses with llhttp compiled to WebAssembly. V8 first compiles a module with
// its baseline compiler (Liftoff), then recompiles hot functions with its optimizing one (TurboFan),
// which for llhttp takes ~30 MB of transient compiler memory on background threads — at the daemon's
// first delivery, while the inputs are busiest, so it lands on the process's peak RSS (measured: peak
// 182–192 MB → 170 MB on bench:daemon's tail run, at the same speed). Baseline code is plenty for
// parsing a few response headers per request.
//
// The young generation stays at its start size (1 MB semi-spaces; V8 grows it to 8–16 MB under load
// otherwise): only a runtime --semi-space-growth-factor=1 does that (--max-semi-space-size is read
// once, when the heap is created). bin/tdfwd.js calls this before the program's modules load.
// The GC pacer (core/gc-pacer.ts) collects dead ArrayBuffers early. Both: bench/README.md.
import { setFlagsFromString } from 'node:v8';
import { startGcPacer } from '../core/gc-pacer.js';

export function setRuntimeFlags(): void {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--semi-space-growth-factor=1');
  startGcPacer();
}
