/**
 * The connector registry: one connector per connection type. Connectors are imported lazily, so
 * a pipeline that only reads files never loads `pg` or the AWS SDK.
 * To add one: a line in LOADERS, `type: async () => (await import("./x/index.js")).xConnector` (the `.js` suffix is what NodeNext wants; esbuild and tsx map it to the `.ts` file).
 */
import { ConnectorError } from "../errors";
import type { ConnectionType } from "../pipeline/model";
import type { Connector } from "./types";

type Loader = () => Promise<Connector>;

const LOADERS: Partial<Record<ConnectionType, Loader>> = {
  file: async () => (await import("./file.js")).fileConnector,
  postgres: async () => (await import("./postgres/index.js")).postgresConnector,
  http: async () => (await import("./http/index.js")).httpConnector,
  s3: async () => (await import("./s3/connector.js")).s3Connector,
};

const loaded = new Map<ConnectionType, Promise<Connector>>();

/** The connector for a connection type; the same instance for the whole process. */
export function connectorFor(type: ConnectionType): Promise<Connector> {
  const cached = loaded.get(type);
  if (cached) return cached;
  const loader = LOADERS[type];
  if (!loader) return Promise.reject(new ConnectorError("unsupported-connection", `connection type \`${type}\` has no connector in this build; supported: ${Object.keys(LOADERS).join(", ")}`));
  const promise = loader();
  loaded.set(type, promise);
  return promise;
}

/** Closes every connector that was loaded (pools, sockets). */
export async function closeConnectors(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  await Promise.allSettled(all.map(async (p) => (await p).close?.()));
}
