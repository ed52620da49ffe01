// Build: compile src/ to dist/ and test/ to dist/test/ with tsc, then generate the OpenAPI definitions beside the compiled code.
// Silent on success; exits non-zero if either step fails (the generator still runs after a tsc error,
// since tsc emits anyway and the rest of dist/ stays usable).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const run = (script, args = []) => spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' }).status ?? 1;

const compiled = [run(tsc, ['-p', '.']), run(tsc, ['-p', 'test'])].find((code) => code !== 0) ?? 0;
const generated = run(path.join(root, 'scripts/gen-openapi.mjs'));
process.exit(compiled || generated);
