// Build: compile src/ to dist/ and test/ to dist/test/ with tsc, generate the OpenAPI definitions,
// then bundle the command line (dist/bundle/k8ts.mjs, with chunks for what is loaded only on demand,
// such as the etcd client) so that `k8ts server` starts without loading hundreds of modules. Silent on success; exits non-zero if any step fails.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const run = (script, args = []) => spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' }).status ?? 1;

const compiled = [run(tsc, ['-p', '.']), run(tsc, ['-p', 'test'])].find((code) => code !== 0) ?? 0;
const generated = run(path.join(root, 'scripts/gen-openapi.mjs'));

let bundled = 0;
try {
  const esbuild = await import('esbuild');
  // Chunk names carry content hashes: start empty so old chunks do not pile up.
  rmSync(path.join(root, 'dist/bundle'), { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(root, 'dist/cli/main.js')],
    outdir: path.join(root, 'dist/bundle'),
    entryNames: 'k8ts',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Dynamic imports become chunks, so their dependencies load only when used.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Native or lazily loaded: resolved from node_modules at run time.
    external: ['better-sqlite3', '@peculiar/x509', 'yaml', 'etcd3', 'cockatiel'],
    // CommonJS dependencies inside an ES module bundle need a require().
    banner: { js: "import { createRequire as __k8tsRequire } from 'node:module'; const require = __k8tsRequire(import.meta.url);" },
    logLevel: 'warning',
  });
} catch (e) {
  process.stderr.write(`k8ts: bundling failed (${e.message}); bin/k8ts.js falls back to dist/cli/main.js\n`);
  bundled = 1;
}
process.exit(compiled || generated || bundled);
