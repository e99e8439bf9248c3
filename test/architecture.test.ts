// The layer table of ARCHITECTURE.md, enforced: imports under src/ only go down the table,
// and no `node:` module is imported outside src/node/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** What each layer may import, besides itself. Mirrors ARCHITECTURE.md "Layers, bottom up". */
const allowed: Record<string, readonly string[]> = {
  util: [],
  crypto: ['util'],
  wire: ['util', 'crypto'],
  transport: ['util', 'crypto'],
  keys: ['util', 'crypto'],
  'peer-manager': ['util', 'crypto', 'wire', 'transport'],
  tx: ['util', 'crypto', 'keys'],
  onion: ['util', 'crypto', 'wire'],
  invoice: ['util', 'crypto', 'wire'],
  routing: ['util', 'crypto', 'wire'],
  events: ['util', 'crypto', 'wire', 'routing'],
  chain: ['util', 'crypto', 'wire', 'keys', 'tx', 'events'],
  'channel-manager': [
    'util',
    'crypto',
    'wire',
    'transport',
    'peer-manager',
    'keys',
    'tx',
    'onion',
    'invoice',
    'routing',
    'events',
    'chain',
  ],
  persist: [
    'util',
    'crypto',
    'wire',
    'keys',
    'tx',
    'onion',
    'invoice',
    'routing',
    'events',
    'chain',
    'channel-manager',
  ],
  node: [
    'util',
    'crypto',
    'wire',
    'transport',
    'peer-manager',
    'keys',
    'tx',
    'onion',
    'invoice',
    'routing',
    'events',
    'chain',
    'channel-manager',
    'persist',
  ],
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function layerOf(file: string): string | undefined {
  const rel = relative(src, file).split(sep);
  return rel.length > 1 ? rel[0] : undefined; // top-level files (index.ts, node.ts) are the public API
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g;

describe('architecture', () => {
  const files = walk(src);

  it('has a layer entry for every folder under src/', () => {
    for (const f of files) {
      const layer = layerOf(f);
      if (layer !== undefined)
        expect(Object.keys(allowed), `unknown layer ${layer}`).toContain(layer);
    }
  });

  it('imports only go down the layer table', () => {
    const violations: string[] = [];
    for (const f of files) {
      const layer = layerOf(f);
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) {
          if (layer !== 'node' && relative(src, f) !== 'node.ts')
            violations.push(`${relative(root, f)}: ${spec}`);
          continue;
        }
        if (!spec.startsWith('.')) continue;
        if (layer === undefined) continue;
        const target = layerOf(resolve(dirname(f), spec));
        if (target === undefined) {
          violations.push(`${relative(root, f)}: imports the public entry ${spec}`);
        } else if (target !== layer && !allowed[layer]!.includes(target)) {
          violations.push(`${relative(root, f)}: ${layer} -> ${target} (${spec})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
