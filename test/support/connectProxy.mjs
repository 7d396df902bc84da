// A loopback HTTP proxy that tunnels with CONNECT (how clients reach https registries through a
// proxy): it records each CONNECT target and the Proxy-Authorization sent, optionally requires a
// user and password (407 otherwise), and pipes the two sockets together.
import { createServer } from 'node:http';
import net from 'node:net';

/** Starts the proxy on 127.0.0.1; `auth` ({ user, password }) makes it require Basic credentials. */
export async function startConnectProxy({ auth } = {}) {
  const connects = [];
  const expected = auth ? `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` : undefined;
  const server = createServer((req, res) => {
    // Plain-http requests through a proxy come in absolute form; these tests only tunnel.
    res.writeHead(501).end();
  });
  server.on('connect', (req, clientSocket, head) => {
    const record = { target: req.url, proxyAuthorization: req.headers['proxy-authorization'] };
    connects.push(record);
    if (expected !== undefined && record.proxyAuthorization !== expected) {
      clientSocket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = splitTarget(req.url);
    const upstream = net.connect(Number(port), host, () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    const destroyBoth = () => {
      upstream.destroy();
      clientSocket.destroy();
    };
    upstream.on('error', destroyBoth);
    clientSocket.on('error', destroyBoth);
    sockets.add(upstream).add(clientSocket);
  });
  const sockets = new Set();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    connects,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function splitTarget(target) {
  const colon = target.lastIndexOf(':');
  return [target.slice(0, colon).replace(/^\[|\]$/g, ''), target.slice(colon + 1)];
}
