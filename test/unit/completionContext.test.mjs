// What the text before the cursor asks to complete, in each wing's syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonCompletionContext } from '../../dist/core/python/checks/completion.js';
import { npmCompletionContext } from '../../dist/core/npm/checks/completion.js';

test('requirements and pyproject strings: versions after an operator, extras inside brackets', () => {
  const cases = [
    ['websockets==', 'requirements', { kind: 'version', name: 'websockets', typed: '' }],
    ['websockets==14.', 'requirements', { kind: 'version', name: 'websockets', typed: '14.' }],
    ['Uvicorn[standard]>=0.2', 'requirements', { kind: 'version', name: 'uvicorn', typed: '0.2' }],
    ['httpx>=0.27,<', 'requirements', { kind: 'version', name: 'httpx', typed: '' }],
    ['uvicorn[', 'requirements', { kind: 'extra', name: 'uvicorn', typed: '' }],
    ['uvicorn[standard,st', 'requirements', { kind: 'extra', name: 'uvicorn', typed: 'st' }],
    ['websockets', 'requirements', { kind: 'name', typed: 'websockets' }],
    ['  supa', 'requirements', { kind: 'name', typed: 'supa' }],
    ['-r base.txt', 'requirements', null],
    ['websockets==14.2 ; python_version >= "3', 'requirements', null],
    ['  "fastapi>=0.1', 'pyproject', { kind: 'version', name: 'fastapi', typed: '0.1' }],
    ['dependencies = ["a==1", "zope.interface~=', 'pyproject', { kind: 'version', name: 'zope-interface', typed: '' }],
    ['requires-python = ">=3.', 'pyproject', null],
    ['fastapi = ">=0.1"', 'pyproject', null],
    ['dependencies = ["fast', 'pyproject', { kind: 'name', typed: 'fast' }],
  ];
  for (const [prefix, kind, expected] of cases) assert.deepEqual(pythonCompletionContext(prefix, kind), expected, prefix);
});

test('package.json values: versions after an optional range operator', () => {
  assert.deepEqual(npmCompletionContext('    "react": "^18.'), { kind: 'version', name: 'react', typed: '18.' });
  assert.deepEqual(npmCompletionContext('    "@types/node": "'), { kind: 'version', name: '@types/node', typed: '' });
  assert.deepEqual(npmCompletionContext('    "react": ">=1'), { kind: 'version', name: 'react', typed: '1' });
  assert.equal(npmCompletionContext('  "name": "pinsight", "version'), null);
});
