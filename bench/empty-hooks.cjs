'use strict';
/**
 * Installs hooks that do nothing, of the kinds asyncrace installs, so that
 * bench/floor.mjs can measure what Node charges for the hooks alone:
 * BENCH_HOOKS=promise (v8.promiseHooks: init, settled, before, after),
 * async (async_hooks init/before/after, with trackPromises: false where Node
 * has it, 24 and later) or both.
 */
const which = process.env.BENCH_HOOKS || 'both';
const noop = () => {};
if (which === 'promise' || which === 'both') {
  require('node:v8').promiseHooks.createHook({ init: noop, settled: noop, before: noop, after: noop });
}
if (which === 'async' || which === 'both') {
  require('node:async_hooks').createHook({ init: noop, before: noop, after: noop, trackPromises: false }).enable();
}
