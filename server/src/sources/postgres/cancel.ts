/**
 * PostgreSQL's CancelRequest: the only way to stop a statement the server is running. Closing the
 * client's socket is not enough: the backend notices only when it next talks to the client, so a
 * `pg_sleep` or a long UPDATE runs on (and a multi-statement request commits at its end).
 *
 * node-postgres has `Client#cancel`, but it connects through a Connection whose socket errors
 * become 'error' events nobody listens to (a crash), has no timeout, and only cancels a query it
 * still considers active. The request is 16 bytes, so we send it ourselves.
 */
import { connect, type Socket } from "node:net";

/** Where the backend's server listens: a TCP host and port, or a unix socket's path. */
export type CancelTarget = { host: string; port: number } | { path: string };

export interface CancelOutcome {
  /** True when the server took the request (it closes the connection once it has signalled the backend). */
  sent: boolean;
  /** Why it was not sent, for the log. */
  reason?: string;
}

/** The request code PostgreSQL reserves for CancelRequest: 1234 in the high 16 bits, 5678 in the low. */
const CANCEL_REQUEST_CODE = (1234 << 16) | 5678;

function cancelPacket(processID: number, secretKey: number): Buffer {
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  return packet;
}

/**
 * Asks the server to cancel what backend `processID` is running. Never rejects: a cancel that
 * cannot be delivered is reported in the outcome, and `timeoutMs` bounds the wait so a server
 * that does not answer cannot hold the process open. Needs no authentication (the secret key
 * proves we own the backend) and no TLS (the server accepts CancelRequest in plain text).
 */
export function sendCancelRequest(target: CancelTarget, processID: number, secretKey: number, timeoutMs = 5_000): Promise<CancelOutcome> {
  return new Promise((resolve) => {
    let socket: Socket;
    let outcome: CancelOutcome | undefined;
    const finish = (result: CancelOutcome) => {
      outcome ??= result;
      socket.destroy();
    };
    try {
      socket = "path" in target ? connect({ path: target.path }) : connect({ host: target.host, port: target.port });
    } catch (err: unknown) {
      resolve({ sent: false, reason: (err as Error).message });
      return;
    }
    socket.setTimeout(timeoutMs, () => finish({ sent: false, reason: `the server did not answer within ${timeoutMs} ms` }));
    socket.on("error", (err) => finish({ sent: false, reason: err.message }));
    socket.once("connect", () => socket.write(cancelPacket(processID, secretKey)));
    // The server answers a CancelRequest by closing the connection after it signalled the backend.
    socket.once("end", () => finish({ sent: true }));
    socket.once("close", () => resolve(outcome ?? { sent: false, reason: "the connection closed before the request was sent" }));
  });
}
