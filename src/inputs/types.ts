import type { EventSink } from '../core/sink.js';
export interface InputContext { sink: EventSink; log: (level: 'debug'|'info'|'warn'|'error', msg: string, fields?: Record<string, unknown>) => void; }
export interface Input { readonly name: string; start(): Promise<void>; stop(): Promise<void>; }
