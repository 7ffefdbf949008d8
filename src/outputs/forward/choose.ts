// Which server gets a chunk: a weighted random choice among the usable non-standby servers, or among
// the usable standby servers when no non-standby one is usable (fluentd out_forward's rule). Pure.

export interface Choosable {
  readonly cfg: { readonly weight: number; readonly standby: boolean };
}

export function chooseServer<S extends Choosable>(servers: readonly S[], random: () => number): S | null {
  const primaries = servers.filter((s) => !s.cfg.standby);
  const pool = primaries.length > 0 ? primaries : servers.filter((s) => s.cfg.standby);
  const total = pool.reduce((sum, s) => sum + s.cfg.weight, 0);
  if (pool.length === 0 || total <= 0) return null;
  let r = random() * total;
  for (const s of pool) {
    r -= s.cfg.weight;
    if (r < 0) return s;
  }
  return pool[pool.length - 1] ?? null;
}
