// Files shipped with the package (package.json, generated data under dist/), found from the package
// root so that the same code works from dist/<module>.js and from the bundle in dist/bundle/.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  root = dir;
  return dir;
}

export function packageFile(...segments: string[]): string {
  return path.join(packageRoot(), ...segments);
}
