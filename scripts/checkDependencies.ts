// Dependency-rule check (`npm run check:deps`): reads every import of src/ and actors/ (type-only
// imports, re-exports, require() and import() included) with the TypeScript compiler's
// preProcessFile, resolves the relative ones to files, and enforces the arrows the README draws:
//   - src/domain imports only src/domain and src/config, and no package but Node's built-ins;
//   - pg (and pg-*) is imported only inside src/infra/postgres;
//   - in src/ only the composition folder src/runtime/ imports actors/ (main.ts and the CLI are
//     entry points that call src/runtime; they do not import actors themselves, and must not);
//   - src/projections never imports src/infra;
//   - no import cycles (each reported as a path a -> b -> a);
//   - every relative import resolves to a file (otherwise the graph above would be incomplete).
// Prints every violation and exits 1 when there is any.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** The folders whose files are checked, relative to the root. */
const scannedFolders = ['src', 'actors'];
/** Source files the check reads; .d.ts files declare, they do not import at run time. */
const sourceExtensions = ['.ts', '.cjs', '.js', '.mjs'];
/** Suffixes tried, in Node/TypeScript order, when a relative specifier names no file directly. */
const resolutionSuffixes = ['.ts', '.tsx', '.cjs', '.js', '.mjs', '/index.ts', '/index.js'];
/** The one folder allowed to import pg. */
const postgresFolder = 'src/infra/postgres/';
/** The composition folder: the only part of src/ that wires actors in. */
const compositionFolder = 'src/runtime/';

export interface Violation {
  rule: 'domain' | 'pg' | 'actors' | 'projections' | 'cycle' | 'unresolved';
  /** One line saying what is wrong, with the files (root-relative) it concerns. */
  message: string;
}

interface ImportEdge {
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The root-relative file a relative specifier resolves to; null for a package. */
  to: string | null;
}

/** Every dependency-rule violation in the tree under root (src/ and actors/), cycles last. */
export function checkDependencies(root: string): Violation[] {
  const files = scannedFolders.flatMap((folder) => sourceFiles(root, folder));
  const edges = files.flatMap((file) => importsOf(root, file));
  const violations = edges.flatMap(edgeViolations);
  for (const edge of edges) {
    if (edge.to === null && isRelative(edge.specifier)) {
      violations.push({ rule: 'unresolved', message: `${edge.from}: '${edge.specifier}' resolves to no file (the graph would be incomplete)` });
    }
  }
  return [...violations, ...cycleViolations(files, edges)];
}

function edgeViolations(edge: ImportEdge): Violation[] {
  const { from, to, specifier } = edge;
  const found: Violation[] = [];
  const target = to ?? specifier;
  if (from.startsWith('src/domain/')) {
    const allowed = to === null ? specifier.startsWith('node:') : to.startsWith('src/domain/') || to.startsWith('src/config/');
    if (!allowed) found.push({ rule: 'domain', message: `${from} imports ${target}: src/domain imports only src/domain, src/config and node: built-ins` });
  }
  if (to === null && isPostgresPackage(specifier) && !from.startsWith(postgresFolder)) {
    found.push({ rule: 'pg', message: `${from} imports ${specifier}: only ${postgresFolder} may import pg` });
  }
  if (to !== null && from.startsWith('src/') && to.startsWith('actors/') && !from.startsWith(compositionFolder)) {
    found.push({ rule: 'actors', message: `${from} imports ${to}: in src/ only ${compositionFolder} imports actors/` });
  }
  if (to !== null && from.startsWith('src/projections/') && to.startsWith('src/infra/')) {
    found.push({ rule: 'projections', message: `${from} imports ${to}: src/projections never imports src/infra` });
  }
  return found;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/** pg itself and its companion packages (pg-pool, pg-protocol, pg-cursor, ...), types included. */
function isPostgresPackage(specifier: string): boolean {
  const name = specifier.split('/')[0]!;
  return name === 'pg' || name.startsWith('pg-') || specifier === '@types/pg';
}

function sourceFiles(root: string, folder: string): string[] {
  const absolute = path.join(root, folder);
  if (!fs.existsSync(absolute)) return [];
  const entries = fs.readdirSync(absolute, { recursive: true, encoding: 'utf8' });
  return entries
    .map((entry) => toPosix(path.join(folder, entry)))
    .filter((file) => sourceExtensions.includes(path.extname(file)) && !file.endsWith('.d.ts'))
    .filter((file) => fs.statSync(path.join(root, file)).isFile())
    .sort();
}

function importsOf(root: string, file: string): ImportEdge[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map(({ fileName: specifier }) => ({
    from: file,
    specifier,
    to: isRelative(specifier) ? resolveRelative(root, file, specifier) : null,
  }));
}

function resolveRelative(root: string, from: string, specifier: string): string | null {
  const base = path.join(path.dirname(path.join(root, from)), specifier);
  for (const candidate of [base, ...resolutionSuffixes.map((suffix) => base + suffix)]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return toPosix(path.relative(root, candidate));
  }
  return null;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

/**
 * The import cycles, each as a path that starts and ends at the same file. Every strongly
 * connected component (Tarjan) with more than one file, or a file importing itself, is covered by
 * the shortest cycles through its files until each of its files is on at least one reported cycle.
 */
function cycleViolations(files: string[], edges: ImportEdge[]): Violation[] {
  const graph = new Map<string, Set<string>>(files.map((file) => [file, new Set<string>()]));
  for (const { from, to } of edges) if (to !== null && graph.has(to)) graph.get(from)!.add(to);
  const violations: Violation[] = [];
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    const selfLoop = component.length === 1 && graph.get(component[0]!)!.has(component[0]!);
    if (component.length === 1 && !selfLoop) continue;
    const covered = new Set<string>();
    for (const start of [...component].sort()) {
      if (covered.has(start)) continue;
      const cycle = shortestCycle(graph, members, start);
      cycle.forEach((file) => covered.add(file));
      violations.push({ rule: 'cycle', message: `import cycle: ${cycle.join(' -> ')}` });
    }
  }
  return violations;
}

/** Breadth-first search from start back to start, inside one component; the path includes start twice. */
function shortestCycle(graph: Map<string, Set<string>>, members: Set<string>, start: string): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let index = 0; index < queue.length; index++) {
    const node = queue[index]!;
    for (const next of [...graph.get(node)!].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const chain: string[] = [];
        for (let at = node; at !== start; at = previous.get(at)!) chain.unshift(at);
        return [start, ...chain, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  throw new Error(`no cycle through ${start}, yet it is in a strongly connected component`);
}

/** Tarjan's strongly connected components, iterative so deep import chains cannot overflow the stack. */
function stronglyConnected(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: Iterator<string> }> = [];
    const visit = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: graph.get(node)!.values() });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const step = frame.next.next();
      if (!step.done) {
        const child = step.value;
        if (!index.has(child)) visit(child);
        else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const violations = checkDependencies(root);
  for (const violation of violations) process.stdout.write(`${violation.rule}: ${violation.message}\n`);
  if (violations.length > 0) {
    process.stdout.write(`check:deps: ${violations.length} violation(s)\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write('check:deps: every import follows the dependency rules\n');
}

if (require.main === module) main();
