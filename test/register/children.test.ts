import { describe, expect, it } from 'vitest';
import { withDetectionEnv, withDetectionPairs, type ChildDetection } from '../../src/register/children';

const d: ChildDetection = { register: '/opt/asyncrace/register.js', reportDir: '/tmp/asyncrace-x', options: 'strict=1' };

describe('detection in children with an environment of their own', () => {
  it('restores the report directory, the options and the preload', () => {
    expect(withDetectionEnv({ PATH: '/bin' }, d)).toEqual({
      PATH: '/bin',
      ASYNCRACE_REPORT_DIR: '/tmp/asyncrace-x',
      ASYNCRACE_OPTIONS: 'strict=1',
      NODE_OPTIONS: '--require /opt/asyncrace/register.js',
    });
  });

  it('adds the preload to NODE_OPTIONS of the child\'s own, and keeps its options', () => {
    const env = withDetectionEnv({ NODE_OPTIONS: '--max-old-space-size=64', ASYNCRACE_OPTIONS: 'exitcode=3' }, d);
    expect(env.NODE_OPTIONS).toBe('--max-old-space-size=64 --require /opt/asyncrace/register.js');
    expect(env.ASYNCRACE_OPTIONS).toBe('exitcode=3');
  });

  it('returns the same environment when it has everything', () => {
    const env = { ASYNCRACE_REPORT_DIR: '/tmp/asyncrace-x', ASYNCRACE_OPTIONS: '', NODE_OPTIONS: '--require /opt/asyncrace/register.js' };
    expect(withDetectionEnv(env, d)).toBe(env);
  });

  it('does the same on the NAME=value pairs that ChildProcess.spawn receives', () => {
    expect(withDetectionPairs(['PATH=/bin', 'NODE_OPTIONS=--inspect=0', 'A=b=c'], d)).toEqual([
      'PATH=/bin',
      'A=b=c',
      'ASYNCRACE_REPORT_DIR=/tmp/asyncrace-x',
      'ASYNCRACE_OPTIONS=strict=1',
      'NODE_OPTIONS=--inspect=0 --require /opt/asyncrace/register.js',
    ]);
  });
});
