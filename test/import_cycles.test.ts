/**
 * No import circle at run time in src/: a module that imports, through others, itself may see
 * half-initialised bindings depending on which module loads first. Type-only imports are erased
 * (`import type`, `export type`, or every name marked `type`) and do not count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve('src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The src/ modules `file` imports at run time (relative specifiers only; `.js` names the `.ts`). */
export function runtimeImports(file: string, text: string): string[] {
  const out: string[] = [];
  // import/export statements with a `from` clause, and bare `import '…'`
  const re = /^\s*(import|export)\s+([^'";]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4];
    const clause = (m[2] ?? '').trim();
    if (m[3] !== undefined) {
      if (/^type\b/.test(clause)) continue;
      const braces = clause.match(/^\{([^}]*)\}$/);
      if (braces) {
        const names = braces[1].split(',').map((s) => s.trim()).filter(Boolean);
        if (names.every((n) => n.startsWith('type '))) continue;
      }
    }
    if (!spec.startsWith('.')) continue;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** The first circle found among `graph`'s edges (file names), or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('imports', () => {
  it('type-only imports are not edges; value imports are', () => {
    const f = join(ROOT, 'x/a.ts');
    const text = [
      "import type { A } from './b.js';",
      "import { type B, type C } from './c.js';",
      "export type { D } from './d.js';",
      "import { e, type E } from './e.js';",
      "import * as f from './f.js';",
      "export { g } from './g.js';",
      "import './h.js';",
      "import {\n  i,\n  type I,\n} from './i.js';",
    ].join('\n');
    expect(runtimeImports(f, text).map((p) => relative(join(ROOT, 'x'), p))).toEqual(['e.ts', 'f.ts', 'g.ts', 'h.ts', 'i.ts']);
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toBeNull();
  });

  it('src/ has no import circle at run time', () => {
    const files = tsFiles(ROOT);
    const graph = new Map(files.map((f) => [f, runtimeImports(f, readFileSync(f, 'utf8'))]));
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(ROOT, f)).join(' → ') ?? null).toBeNull();
  });
});
