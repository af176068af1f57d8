/**
 * NODE_OPTIONS that preload the register module: how detection reaches every
 * Node process a command starts.
 */

/**
 * A path as one NODE_OPTIONS word: bare when it can be, else double-quoted with
 * backslashes and quotes escaped (the quoting Node's NODE_OPTIONS parser reads).
 *
 * @example
 *   nodeOptionsWord('/opt/asyncrace/register.js') // => '/opt/asyncrace/register.js'
 *   nodeOptionsWord('/my apps/register.js')       // => '"/my apps/register.js"'
 */
export function nodeOptionsWord(value: string): string {
  if (/^[^\s"'\\]+$/.test(value)) return value;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * NODE_OPTIONS with `--require <register>` added after the existing options.
 *
 * @example
 *   nodeOptionsWith('--max-old-space-size=4096', '/a/register.js')
 *   // => '--max-old-space-size=4096 --require /a/register.js'
 */
export function nodeOptionsWith(existing: string | undefined, register: string): string {
  const own = `--require ${nodeOptionsWord(register)}`;
  return existing && existing.trim() !== '' ? `${existing} ${own}` : own;
}

/**
 * True when `nodeOptions` already preloads `register`.
 *
 * @example
 *   preloads('--require /a/register.js', '/a/register.js') // => true
 */
export function preloads(nodeOptions: string | undefined, register: string): boolean {
  return nodeOptions !== undefined && nodeOptions.includes(`--require ${nodeOptionsWord(register)}`);
}
