// expect: race
// why: the limits are installed by a timer registered at start-up, the upload check by a timer
// why: registered later from an immediate; timers registered in different ticks are not ordered.
'use strict';
const limits = new Map();

setTimeout(() => {
  limits.set('upload', { maxBytes: 10 * 1024 * 1024 }); // RACE
}, 5);

function checkUpload(size) {
  const { maxBytes } = limits.get('upload'); // RACE
  return size <= maxBytes ? 'accepted' : 'too large';
}

setImmediate(() => {
  // The first upload is scheduled by the HTTP layer after its own warm-up.
  setTimeout(() => {
    try {
      console.log(`upload of 2 MiB: ${checkUpload(2 * 1024 * 1024)}`);
    } catch (err) {
      console.log(`upload check failed before limits were loaded: ${err.message}`);
    }
  }, 30);
});
