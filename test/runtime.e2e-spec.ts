/**
 * The runtime the apps are deployed on: the Dockerfile's Node image pinned to a release, the same in both
 * stages, and the Node flags of scripts/node-flags.ts written wherever the apps start (package.json, the
 * Dockerfile, docker-compose.yml) and accepted by the Node that runs the tests: node refuses to start on
 * a V8 flag its V8 no longer defines ("bad option").
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { APP_NODE_FLAGS } from '../scripts/node-flags.js';

const dockerfile = readFileSync('Dockerfile', 'utf8');

describe('the runtime', () => {
  it('builds and runs the image on one pinned Node release', () => {
    const images = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(images).toHaveLength(2);
    expect(images[0]).toMatch(/^node:\d+\.\d+\.\d+-[\w-]+$/);
    expect(new Set(images).size).toBe(1);
  });

  it('starts the apps with the same Node flags everywhere, and this Node accepts them', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    const compose = readFileSync('docker-compose.yml', 'utf8');
    for (const flag of APP_NODE_FLAGS) {
      expect([scripts['start:api'], scripts['start:worker']]).toEqual([
        expect.stringContaining(flag),
        expect.stringContaining(flag),
      ]);
      expect(dockerfile).toContain(`"${flag}"`);
      expect(compose.split(flag)).toHaveLength(3);
    }
    const run = spawnSync(process.execPath, [...APP_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
