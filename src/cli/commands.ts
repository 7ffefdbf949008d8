// Every command of the program, registered in the order `tdfwd --help` lists them.
import type { Command } from 'commander';
import { registerChunks } from './chunks.js';
import { registerConfig } from './config-check.js';
import { registerEndpoint } from './endpoint.js';
import { registerFlush } from './flush.js';
import { registerMigrate } from './migrate.js';
import { registerRun } from './run.js';
import { registerSend } from './send.js';
import { registerSimulate } from './simulate.js';
import { registerStatus } from './status.js';

export function registerCommands(program: Command): void {
  registerRun(program);
  registerSend(program);
  registerFlush(program);
  registerStatus(program);
  registerChunks(program);
  registerConfig(program);
  registerEndpoint(program);
  registerSimulate(program);
  registerMigrate(program);
}
