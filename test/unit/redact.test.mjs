// The one redaction function: URL userinfo, labelled credentials and every remembered secret (in
// the forms a leak takes) are masked; ordinary text, paths and git@ URLs are left readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactDeep, rememberAuthorization, rememberSecret } from '../../dist/core/redact.js';

test('URL userinfo is masked in any scheme; git@ and plain text are not', () => {
  assert.equal(redact('see https://user:pa55@host.example/simple/'), 'see https://****@host.example/simple/');
  assert.equal(redact('mylib @ git+https://oauth2:tok3n@gitlab.example.com/org/mylib.git'), 'mylib @ git+https://****@gitlab.example.com/org/mylib.git');
  assert.equal(redact('proxy http://TOKENONLY@proxy:3128'), 'proxy http://****@proxy:3128');
  assert.equal(redact('git+ssh://git@github.com/org/repo.git'), 'git+ssh://git@github.com/org/repo.git');
  assert.equal(redact('Basic credentials are missing for the index.'), 'Basic credentials are missing for the index.');
  assert.equal(redact('/home/user/project/requirements.txt:3'), '/home/user/project/requirements.txt:3');
});

test('labelled credentials are masked', () => {
  assert.equal(redact('Authorization: Bearer abc123def456'), 'Authorization: Bearer ****');
  assert.equal(redact('//registry.example/:_authToken=npm_XYZ123'), '//registry.example/:_authToken=****');
  assert.equal(redact('_auth = "dXNlcjpwYXNz"'), '_auth = ****');
});

test('remembered secrets are masked wherever they appear, Basic in all its forms', () => {
  rememberSecret('s3cr3t-value-1');
  rememberSecret('abc'); // too short to mask without masking ordinary words
  assert.equal(redact('token s3cr3t-value-1 in a path /x/s3cr3t-value-1/y'), 'token **** in a path /x/****/y');
  assert.equal(redact('abc'), 'abc');
  const header = `Basic ${Buffer.from('bot:hunter2-pw').toString('base64')}`;
  rememberAuthorization(header);
  assert.equal(redact(`sent ${Buffer.from('bot:hunter2-pw').toString('base64')} once`), 'sent **** once');
  assert.equal(redact('bot:hunter2-pw'), '****');
  assert.equal(redact('password was hunter2-pw.'), 'password was ****.');
});

test('redactDeep masks every string of a message but the keys it is told to keep', () => {
  rememberSecret('deep-secret-42');
  const message = { params: { diagnostics: [{ message: 'x deep-secret-42' }], edit: { newText: 'deep-secret-42' } }, n: 3 };
  assert.deepEqual(redactDeep(message, new Set(['newText'])), { params: { diagnostics: [{ message: 'x ****' }], edit: { newText: 'deep-secret-42' } }, n: 3 });
});
