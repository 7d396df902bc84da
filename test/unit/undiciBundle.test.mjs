// dist/undici.js holds only the part of undici that node/transport.ts uses for proxies (esbuild.mjs):
// ProxyAgent and Dispatcher#request, with the Agent and buildConnector it is built on, which must
// work as the full library's do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';

const require = createRequire(import.meta.url);

test('the undici bundle exports what the transport uses, and its Agent answers a request', async () => {
  const undici = require('../../dist/undici.js');
  for (const name of ['Agent', 'ProxyAgent', 'buildConnector']) assert.equal(typeof undici[name], 'function', name);
  // fetch, WebSocket and the mock layer are what the bundle leaves out.
  assert.equal(undici.fetch, undefined);
  assert.equal(undici.MockAgent, undefined);
  const server = createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new undici.Agent({ connections: 2, connect: undici.buildConnector({ timeout: 5_000 }) });
  try {
    const { port } = server.address();
    const response = await agent.request({ origin: `http://127.0.0.1:${port}`, path: '/x', method: 'GET' });
    assert.equal(response.statusCode, 200);
    assert.equal(await response.body.text(), 'hello /x');
  } finally {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
