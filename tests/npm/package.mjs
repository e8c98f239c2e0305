// What every npm package test shares: the tarball scripts/npm-package.sh packed, installed the
// way a user installs it, into a fresh folder.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRepo, root } from '../browser/support.mjs';

/** The workspace's version, which the package carries. */
export const version = readRepo('Cargo.toml').match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1];

export const tarball = path.join(root, 'target', 'npm', `kubeclinic-${version}.tgz`);

/**
 * Installs the tarball into a new temporary folder with `npm install <tgz>` (offline: the
 * package has no dependencies). Returns the folder and the installed package's folder;
 * `remove()` deletes them.
 */
export function installPackage() {
  if (!fs.existsSync(tarball)) {
    throw new Error(`${tarball} is missing: run scripts/npm-package.sh first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeclinic-npm-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--silent', tarball], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    dir,
    packageDir: path.join(dir, 'node_modules', 'kubeclinic'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
