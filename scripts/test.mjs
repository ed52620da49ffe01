// Lints the sources, then runs every compiled test under dist/ with node:test: unit tests first, then the
// end-to-end tests in dist/test/. Arguments filter the files by substring (and skip the lint):
// `npm test -- cli/ datadir`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.isFile() && entry.name.endsWith('.test.js') ? [full] : [];
  });
}

// A compiled test whose source was deleted or renamed stays in dist/ until it is cleaned; skip it.
function sourceExists(file) {
  try {
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
    return map.sources.every((source) => existsSync(path.resolve(path.dirname(file), map.sourceRoot ?? '', source)));
  } catch {
    return true;
  }
}

const isE2E = (file) => path.relative(dist, file).split(path.sep)[0] === 'test';
const filters = process.argv.slice(2);
const files = (existsSync(dist) ? findTests(dist) : [])
  .filter(sourceExists)
  .filter((file) => filters.length === 0 || filters.some((f) => path.relative(root, file).includes(f)))
  .sort((a, b) => Number(isE2E(a)) - Number(isE2E(b)) || a.localeCompare(b));

if (files.length === 0) {
  process.stderr.write('k8ts: error: no compiled tests found under dist/; run npm run build\n');
  process.exit(1);
}

if (filters.length === 0) {
  const lint = spawnSync(process.execPath, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), 'src', 'test'], { cwd: root, stdio: 'inherit' });
  if (lint.status !== 0) {
    process.stderr.write('k8ts: error: lint failed (npx eslint src test)\n');
    process.exit(lint.status ?? 1);
  }
}

const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
