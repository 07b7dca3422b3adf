// The repo's import graph against docs/architecture.md: no cycles, and dependencies that point one way.
// Only relative imports are followed (npm packages are each folder's own business); type-only imports
// count, because two files that need each other's types are one module in two pieces.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE_FOLDERS = [
  'contract',
  'functions',
  'lib',
  'bin',
  'scripts',
  'dev',
  'bench',
  'web-snippet/src',
  'test',
];
const SOURCE_FILE = /\.m?ts$/;
// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')` with a relative specifier.
const RELATIVE_IMPORT =
  /(?:^|;|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(folder: string): string[] {
  const absolute = join(ROOT, folder);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter(
      (path) =>
        SOURCE_FILE.test(path) && !path.includes('node_modules') && statSync(join(ROOT, path)).isFile(),
    );
}

/** The repo file a relative specifier names: as written, or its `.ts` source for a `.js`/`.mjs` specifier. */
function resolveSpecifier(from: string, specifier: string): string {
  const target = relative(ROOT, resolve(ROOT, dirname(from), specifier));
  for (const candidate of [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts')])
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate;
  return target;
}

/** file -> the repo files it imports (paths relative to the repo root, `/`-separated). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of SOURCE_FOLDERS.flatMap(sourceFiles)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const imports = [...text.matchAll(RELATIVE_IMPORT)].map((match) =>
      resolveSpecifier(file, (match[1] ?? match[2]) as string),
    );
    graph.set(file, [...new Set(imports)]);
  }
  return graph;
}

/** The strongly connected components with more than one file, or a file importing itself (Tarjan). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    lowLink.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        lowLink.set(file, Math.min(lowLink.get(file) as number, lowLink.get(next) as number));
      } else if (onStack.has(next)) {
        lowLink.set(file, Math.min(lowLink.get(file) as number, index.get(next) as number));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

const graph = importGraph();
const inFolder = (folder: string) => (path: string) => path.startsWith(`${folder}/`);

/** Every import from a file in `folder` that `allowed` refuses, as `from -> to`. */
function importsBreaking(folder: string, allowed: (target: string) => boolean): string[] {
  return [...graph]
    .filter(([file]) => inFolder(folder)(file))
    .flatMap(([file, targets]) =>
      targets.filter((target) => !allowed(target)).map((target) => `${file} -> ${target}`),
    );
}

const FUNCTION_DIR = 'functions/generate-auth-token';
const oneOf =
  (...rules: ((path: string) => boolean)[]) =>
  (path: string) =>
    rules.some((rule) => rule(path));
const exactly = (file: string) => (path: string) => path === file;
const outside = (folder: string) => (path: string) => !inFolder(folder)(path);

describe('the import graph', () => {
  it('sees the source folders and follows their relative imports', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('bin/app.ts')).toEqual(['lib/app.ts']);
    // Every followed import names a file that exists: the scan reads imports, not strings that look like them.
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !existsSync(join(ROOT, target))).map((target) => `${file} -> ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no cycle: no files that import each other, directly or in a loop', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['d.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(findCycles(looped)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
  });
});

describe('dependencies point one way (docs/architecture.md, Folders and Never)', () => {
  it('contract/ imports nothing outside itself', () => {
    expect(importsBreaking('contract', inFolder('contract'))).toEqual([]);
  });

  it('functions/ imports only itself and contract/ (never lib/, bin/, dev/ or scripts/)', () => {
    expect(importsBreaking('functions', oneOf(inFolder('functions'), inFolder('contract')))).toEqual([]);
  });

  it('web-snippet/src imports nothing outside itself (browser APIs only: not functions/, not contract/)', () => {
    expect(importsBreaking('web-snippet/src', inFolder('web-snippet/src'))).toEqual([]);
  });

  it('lib/ imports only itself, contract/ and the one esbuild configuration', () => {
    const allowed = oneOf(inFolder('lib'), inFolder('contract'), exactly('scripts/esbuild-config.ts'));
    expect(importsBreaking('lib', allowed)).toEqual([]);
  });

  it('bin/ imports only itself and lib/', () => {
    expect(importsBreaking('bin', oneOf(inFolder('bin'), inFolder('lib')))).toEqual([]);
  });

  it('scripts/ reaches the function only through its public entry (operator-api.ts)', () => {
    const allowed = oneOf(outside('functions'), exactly(`${FUNCTION_DIR}/operator-api.ts`));
    expect(importsBreaking('scripts', allowed)).toEqual([]);
  });

  it('dev/ reaches the function only through handler.ts and operator-api.ts', () => {
    const allowed = oneOf(
      outside('functions'),
      exactly(`${FUNCTION_DIR}/handler.ts`),
      exactly(`${FUNCTION_DIR}/operator-api.ts`),
    );
    expect(importsBreaking('dev', allowed)).toEqual([]);
  });
});
