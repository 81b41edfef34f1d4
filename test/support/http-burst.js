'use strict';
// Sends N concurrent PUTs from a process of its own, so that the test process measuring another client's
// latency is not busy creating and reading them (test/fairness.e2e-spec.ts). Input: one JSON argument
// {port, path, token, bodies: string[], timeoutMs}. Output: one JSON line, an answer per body, in order.
const { Agent, request } = require('node:http');

const { port, path, token, bodies, timeoutMs } = JSON.parse(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: bodies.length + 1 });

function send(body) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path,
        agent,
        timeout: timeoutMs,
        headers: {
          Authorization: `Bearer ${token}`,
          'Intercom-Version': '2.9',
          'Content-Type': 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] ?? null, body: text }),
        );
        res.on('error', (error) => resolve({ status: 0, error: String(error) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 0, error: String(error) }));
    req.end(body);
  });
}

Promise.all(bodies.map(send)).then((answers) => {
  process.stdout.write(`${JSON.stringify(answers)}\n`);
  agent.destroy();
});
