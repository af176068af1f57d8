// expect: race
// why: getAvatar() misses the LRU, awaits the renderer, then stores the image; three page fragments ask
// why: for the same avatar concurrently, so all miss and the avatar is rendered three times (stampede).
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

class LruCache {
  constructor(max) {
    this.max = max;
    this.entries = new Map();
  }

  get(key) {
    if (!this.entries.has(key)) return undefined; // RACE
    const value = this.entries.get(key);
    this.entries.delete(key); // move to the most recently used end
    this.entries.set(key, value);
    return value;
  }

  set(key, value) {
    this.entries.delete(key); // RACE
    this.entries.set(key, value); // RACE
    if (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value);
    }
  }
}

const avatars = new LruCache(100);
let renders = 0;

async function renderAvatar(userId) {
  renders++;
  await sleep(15); // rasterise the SVG
  return `<png ${userId}>`;
}

async function getAvatar(userId) {
  const cached = avatars.get(userId);
  if (cached) return cached;
  const image = await renderAvatar(userId);
  avatars.set(userId, image);
  return image;
}

async function main() {
  const fragments = await Promise.all([getAvatar('u1'), getAvatar('u1'), getAvatar('u1')]);
  console.log(`${fragments.length} fragments, avatar renders: ${renders} (expected 1)`);
}

main();
