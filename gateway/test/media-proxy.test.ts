import http from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { createMediaProxy } from "../src/edge/media-proxy.js";

const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

test("a kept-alive origin socket closed as it is reused costs a retry on a fresh one, not a 502", async (t) => {
  // The origin answers one request per connection and drops the connection at the next, as one
  // whose idle timeout ran out just as the proxy reused the socket.
  const served = new WeakMap<object, number>();
  const origin = http.createServer((req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    if (n > 1) return req.socket.destroy();
    res.writeHead(200, { "content-type": "image/jpeg", "content-length": "4" }).end("jpeg");
  });
  const proxy = http.createServer(createMediaProxy(await listen(origin)));
  const url = await listen(proxy);
  t.teardown(() => {
    proxy.closeAllConnections();
    origin.closeAllConnections();
    proxy.close();
    origin.close();
  });
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${url}/artwork/v1/x/poster.jpg`);
    t.is(res.status, 200, `request ${i + 1}`);
    t.is(await res.text(), "jpeg");
  }
});
