/**
 * The loaded connectors: one per connection type, found through its descriptor (registry.ts).
 * Connectors are imported lazily, so a pipeline that only reads files never loads `pg` or the AWS SDK.
 */
import { ConnectorError } from "../errors";
import type { ConnectionType } from "../pipeline/model";
import { CONNECTORS, descriptorFor } from "./registry";
import type { Connector } from "./types";

const loaded = new Map<ConnectionType, Promise<Connector>>();

/** The connector for a connection type; the same instance for the whole process. */
export function connectorFor(type: ConnectionType): Promise<Connector> {
  const cached = loaded.get(type);
  if (cached) return cached;
  const descriptor = descriptorFor(type);
  if (!descriptor) return Promise.reject(new ConnectorError("unsupported-connection", `connection type \`${type}\` has no connector in this build; supported: ${CONNECTORS.map((d) => d.type).join(", ")}`));
  const promise = descriptor.connector();
  loaded.set(type, promise);
  return promise;
}

/** Closes every connector that was loaded (pools, sockets). */
export async function closeConnectors(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  await Promise.allSettled(all.map(async (p) => (await p).close?.()));
}
