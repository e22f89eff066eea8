// Imports point down only: each folder of src/ may import its own and the layers below it, and no file
// reaches itself again through its imports.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.resolve(__dirname, '../src');

/** Highest first. report/ sits under run/ so that only run/ and cli/ (and docs/, through cli/) use it. */
const LAYERS: readonly (readonly string[])[] = [['docs'], ['cli'], ['run'], ['report'], ['strategies'], ['plan'], ['steps'], ['probe'], ['fs', 'text', 'errors.ts']];

const rank = (file: string): number => {
  const top = file.split('/')[0];
  const r = LAYERS.findIndex((layer) => layer.includes(top));
  if (r < 0) throw new Error(`${file}: src/${top} is in no layer of this spec: add it where it belongs`);
  return r;
};

function sources(dir = src): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') ? [path.relative(src, full)] : [];
  });
}

/** The relative imports of file (static, type-only, re-exports and dynamic), as paths under src/. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => path.relative(src, path.resolve(src, path.dirname(file), s)).replace(/\.js$/, '.ts'));
}

const graph = new Map(sources().map((f) => [f, importsOf(f, fs.readFileSync(path.join(src, f), 'utf8'))]));

/** Each cycle once, as the files around it, found by a depth-first walk. */
function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    trail.push(f);
    for (const to of g.get(f) ?? []) {
      if (state.get(to) === 'open') found.push([...trail.slice(trail.indexOf(to)), to]);
      else if (!state.has(to)) visit(to);
    }
    trail.pop();
    state.set(f, 'done');
  };
  for (const f of [...g.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}

describe('layers', () => {
  it('finds the sources and their imports', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(importsOf('run/a.ts', `import x from '../plan/b.js';\nimport type { Y } from './c.js';\nexport { z } from "../errors.js";`)).toEqual(['plan/b.ts', 'run/c.ts', 'errors.ts']);
  });

  it('has every relative import resolve to a source file', () => {
    const missing = [...graph].flatMap(([f, to]) => to.filter((t) => !graph.has(t)).map((t) => `${f} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('imports nothing from a higher layer', () => {
    const upward = [...graph].flatMap(([f, to]) => to.filter((t) => rank(t) < rank(f)).map((t) => `${f} -> ${t}`));
    expect(upward).toEqual([]);
  });

  it('has report/ used by run/ and cli/ alone', () => {
    const users = [...graph].filter(([f, to]) => !f.startsWith('report/') && to.some((t) => t.startsWith('report/'))).map(([f]) => f.split('/')[0]);
    expect([...new Set(users)].sort()).toEqual(['cli', 'run']);
  });

  it('has no cycle', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });
});
