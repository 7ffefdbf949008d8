// Every command of the program, registered in the order `tdfwd --help` lists them.
import type { Command } from 'commander';

export function registerCommands(_program: Command): void {
  // commands are added here as they land
}
