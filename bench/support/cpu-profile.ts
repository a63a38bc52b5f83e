/**
 * Reads a V8 .cpuprofile (what `node --cpu-prof` and the bench's profiler write) into the two tables a
 * report needs: self time by package or project file, and self time by function. Percentages are of
 * busy time (samples not in "(idle)"). Inclusive times are left out on purpose: async code loses its
 * callers at every await, so they would understate the app's own functions.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  totalMs: number;
  byArea: Row[];
  bySelf: Row[];
}

/** The profiler's own work (serializing the profile at stop) is not the app's. */
const PROFILER = /bench\/support\/profiler\.preload\.js$/;

export function summarizeProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const area = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = nodes.get(id)!;
    total += ms;
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(nodes.get(at)!);
    if (stack.some((frame) => PROFILER.test(frame.callFrame.url))) {
      total -= ms;
      return;
    }
    add(area, areaOf(node), ms);
    add(self, frameName(node), ms);
  });
  const busy = total - idle;
  const rows = (map: Map<string, number>): Row[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, percent: busy > 0 ? (100 * ms) / busy : 0 }));
  return { file, busyMs: busy, totalMs: total, byArea: rows(area), bySelf: rows(self) };
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

/** `functionName (where:line)` with paths cut to the package or project file. */
function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  return `${name} (${shortUrl(url)}:${lineNumber + 1})`;
}

function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const pkg = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const pkg = /.*\/node_modules\/(.*)$/.exec(url);
  if (pkg) return pkg[1];
  const project = /\/dist\/(.*)$/.exec(url);
  if (project) return project[1];
  return url.replace(/^file:\/\//, '');
}
