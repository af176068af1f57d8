// expect: race
// why: the hedged fetch reads the manifest from the primary and from a lagging mirror at once and both
// why: branches write manifestCache; Promise.any orders nothing, so the stale mirror's copy may stay cached.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mirrors-'));
const primaryDir = path.join(root, 'primary');
const mirrorDir = path.join(root, 'mirror');
await fs.mkdir(primaryDir);
await fs.mkdir(mirrorDir);
const packages = ['left-pad', 'is-odd', 'asyncrace'];
await fs.writeFile(path.join(primaryDir, 'manifest.json'), JSON.stringify({ version: 42, packages }));
await fs.writeFile(path.join(mirrorDir, 'manifest.json'), JSON.stringify({ version: 41, packages }));

const manifestCache = new Map();

async function fromPrimary(name) {
  const manifest = JSON.parse(await fs.readFile(path.join(primaryDir, name), 'utf8'));
  manifestCache.set(name, { ...manifest, source: 'primary' }); // RACE
  return manifest;
}

async function fromMirror(name) {
  const manifest = JSON.parse(await fs.readFile(path.join(mirrorDir, name), 'utf8'));
  manifestCache.set(name, { ...manifest, source: 'mirror' }); // RACE
  return manifest;
}

try {
  const branches = [fromPrimary('manifest.json'), fromMirror('manifest.json')];
  const first = await Promise.any(branches);
  console.log(`resolved ${first.packages.length} packages from the fastest source`);
  await Promise.allSettled(branches);
  console.log(`cache holds a manifest: ${manifestCache.has('manifest.json')}`);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
