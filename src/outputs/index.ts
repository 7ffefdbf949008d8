// Builds an Output from its resolved config.
import type { OutputConfig } from '../config/types.js';
import { ForwardOutput } from './forward/output.js';
import { HttpOutput } from './http/output.js';
import { StdoutOutput } from './stdout.js';
import { TdOutput } from './td/output.js';
import type { Output } from './types.js';

export type { Output } from './types.js';

export function createOutput(cfg: OutputConfig): Output {
  switch (cfg.type) {
    case 'td':
      return new TdOutput(cfg);
    case 'http':
      return new HttpOutput(cfg);
    case 'stdout':
      return new StdoutOutput(cfg);
    case 'forward':
      return new ForwardOutput(cfg);
  }
}
