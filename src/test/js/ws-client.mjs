// A scripted WebSocket client on Node's `ws`, driven by JUnit: commands arrive as JSON lines on stdin, events leave
// as JSON lines on stdout (each with `t`, milliseconds since start).
//   node ws-client.mjs <url> '<options JSON>'
// options: {"protocols": ["a","b"], "headers": {...}, "autoPong": true}
// commands: {"op":"text","data":"..."} {"op":"binary","hex":"0102"} {"op":"fragments","parts":["a","b"],"binary":false}
//           {"op":"close","code":4000,"reason":"bye"} {"op":"terminate"}
// events: open (protocol), message (type, data or hex), ping, pong, close (code, reason), unexpected-response
//         (status, body), error (message)
import WebSocket from 'ws';
import readline from 'node:readline';

const [url, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson || '{}');
const started = Date.now();
const emit = (event) => process.stdout.write(JSON.stringify({ t: Date.now() - started, ...event }) + '\n');

const ws = new WebSocket(url, options.protocols || [], {
  headers: options.headers || {},
  autoPong: options.autoPong !== false,
  perMessageDeflate: false,
});
ws.on('open', () => emit({ event: 'open', protocol: ws.protocol }));
ws.on('message', (data, isBinary) => emit(isBinary
  ? { event: 'message', type: 'binary', hex: Buffer.from(data).toString('hex') }
  : { event: 'message', type: 'text', data: data.toString('utf8') }));
ws.on('ping', () => emit({ event: 'ping' }));
ws.on('pong', () => emit({ event: 'pong' }));
ws.on('close', (code, reason) => {
  emit({ event: 'close', code, reason: reason.toString('utf8') });
  process.exit(0);
});
ws.on('unexpected-response', (req, res) => {
  let body = '';
  res.on('data', (c) => { body += c; });
  res.on('end', () => {
    emit({ event: 'unexpected-response', status: res.statusCode, retryAfter: res.headers['retry-after'] || null, body });
    process.exit(0);
  });
});
ws.on('error', (e) => emit({ event: 'error', message: e.message }));

const commands = readline.createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const c = JSON.parse(line);
  switch (c.op) {
    case 'text': ws.send(c.data); break;
    case 'binary': ws.send(Buffer.from(c.hex, 'hex')); break;
    case 'fragments':
      c.parts.forEach((p, i) => ws.send(c.binary ? Buffer.from(p, 'hex') : p,
        { fin: i === c.parts.length - 1, binary: !!c.binary }));
      break;
    case 'close': ws.close(c.code, c.reason); break;
    case 'terminate': ws.terminate(); break;
    default: emit({ event: 'error', message: 'unknown op ' + c.op });
  }
});
