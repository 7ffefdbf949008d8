// The install files agree with each other and with tdfwd: the Kubernetes ConfigMap's config parses,
// the DaemonSet's buffer volume is where that config and the image put the buffer, the Dockerfile
// keeps its promises (non-root, volume, env, health check on /healthz), and the systemd unit runs as
// the user sysusers.d creates. There is no Docker engine here to build the image (README "Install").
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

const read = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));

  it('builds with dev dependencies, then keeps only production ones', () => {
    expect(text).toMatch(/FROM \$\{NODE_IMAGE\} AS build/);
    expect(text).toContain('npm ci --no-audit --no-fund --ignore-scripts');
    expect(text).toContain('npm rebuild better-sqlite3 msgpackr-extract');
    expect(text).toContain('npm prune --omit=dev');
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it('runs as the non-root user tdfwd with the buffer in a volume', () => {
    expect(runtime).toMatch(/^USER tdfwd$/m);
    expect(runtime).toMatch(/^VOLUME \/var\/lib\/tdfwd$/m);
    expect(runtime).toContain('TDFWD_BUFFER=/var/lib/tdfwd');
    expect(runtime).toContain('MALLOC_ARENA_MAX=2');
    expect(runtime).toContain('chown tdfwd:tdfwd /var/lib/tdfwd');
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*127\.0\.0\.1:24220\/healthz/);
    expect(runtime).toMatch(/ENTRYPOINT \["tdfwd"\]\nCMD \["--config", "\/etc\/tdfwd\/tdfwd.yaml", "run"\]/);
  });

  it('.dockerignore keeps node_modules and dist of the host out of the build', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', 'dist', 'test', '.git']) expect(ignored).toContain(p);
    for (const needed of ['src', 'bin', 'examples', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(needed);
  });
});

describe('examples/kubernetes-daemonset.yaml', () => {
  const docs = YAML.parseAllDocuments(read('examples/kubernetes-daemonset.yaml')).map((d) => d.toJS() as Record<string, any>);
  const configMap = docs.find((d) => d.kind === 'ConfigMap');
  const ds = docs.find((d) => d.kind === 'DaemonSet');

  it('its config is a valid tdfwd config', () => {
    const cfg = parseConfigText(configMap?.data['tdfwd.yaml'], { env: { HOME: '/h', TD_API_KEY: 'k' }, source: 'configmap', baseDir: '/' });
    expect(cfg.buffer.path).toBe('/var/lib/tdfwd');
    expect(cfg.admin.listen).toBe('0.0.0.0:24220');
  });

  it('uses the image, mounts the buffer on the node and probes /healthz', () => {
    const pod = ds?.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toMatch(/\/tdfwd:\d+\.\d+\.\d+$/);
    expect(c.args).toEqual(['--config', '/etc/tdfwd/tdfwd.yaml', 'run']);
    const buffer = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/var/lib/tdfwd');
    expect(pod.volumes.find((v: { name: string }) => v.name === buffer.name).hostPath.path).toBe('/var/lib/tdfwd');
    expect(c.readinessProbe.httpGet.path).toBe('/healthz');
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
  });
});

describe('systemd', () => {
  it('the unit runs as the user that sysusers.d creates, with its state directory', () => {
    const unit = read('examples/tdfwd.service');
    const sysusers = read('examples/tdfwd.sysusers.conf');
    expect(unit).toMatch(/^User=tdfwd$/m);
    expect(unit).toMatch(/^StateDirectory=tdfwd$/m);
    expect(unit).toMatch(/^StateDirectoryMode=0700$/m);
    expect(unit).toMatch(/^Environment=TDFWD_BUFFER=\/var\/lib\/tdfwd$/m);
    expect(sysusers).toMatch(/^u\s+tdfwd\s+-\s+"[^"]+"\s+\/var\/lib\/tdfwd\s+\/usr\/sbin\/nologin$/m);
  });
});
