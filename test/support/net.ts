/** Loopback networking for the test harness. */
import { createServer } from "node:net";

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for a service the harness starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
