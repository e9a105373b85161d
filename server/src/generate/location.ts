/**
 * `--from` / `--to` values: a URL whose scheme a connector's `generate` hook claims
 * (`postgres://…`, `s3://bucket/prefix?endpoint=…`, `https://…`), or a local path, which the
 * connector of local paths takes. The connector turns it into a `Location`.
 */
import { UsageError } from "../errors";
import type { ConnectorDescriptor } from "../sources/descriptor";
import type { Location, Role } from "../sources/generation";
import { CONNECTORS } from "../sources/registry";

/** "a postgres:// URL, an s3:// prefix, … or a local folder": what `--from`/`--to` accept, for messages. */
export function locationExamples(where: (descriptor: ConnectorDescriptor) => boolean = () => true): string {
  const examples = CONNECTORS.flatMap((d) => (d.generate && where(d) ? [d.generate.example] : []));
  return examples.length < 2 ? examples.join("") : `${examples.slice(0, -1).join(", ")} or ${examples[examples.length - 1]}`;
}

const schemeOf = (text: string): string | undefined => /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();

/** The local path a `--from`/`--to` value names (a path, or a URL of the connector of local paths), else undefined. */
export function localPathOf(text: string): string | undefined {
  const scheme = schemeOf(text.trim());
  if (scheme === undefined) return text;
  const paths = CONNECTORS.find((d) => d.generate?.paths && d.generate.schemes.includes(scheme));
  return paths ? decodeURIComponent(new URL(text.trim()).pathname) : undefined;
}

/** Parses a `--from`/`--to` value; `baseDir` is the folder of the file being written (relative roots). */
export async function parseLocation(text: string, role: Role, baseDir: string, cwd = process.cwd()): Promise<Location> {
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError(`--${role === "source" ? "from" : "to"} is empty`);
  const scheme = schemeOf(trimmed);
  const hook = CONNECTORS.map((d) => d.generate).find((g) => (scheme === undefined ? g?.paths !== undefined : g?.schemes.includes(scheme)));
  if (!hook) throw new UsageError(scheme === undefined ? `--${role === "source" ? "from" : "to"}: no connector takes a local path; use ${locationExamples()}` : `unsupported scheme \`${scheme}://\`; use ${locationExamples()}`);
  return hook.locate(trimmed, { role, baseDir, cwd });
}

/** The default target: the local folder `./out` beside the written file. */
export async function defaultTarget(baseDir: string): Promise<Location> {
  const paths = CONNECTORS.map((d) => d.generate?.paths).find((p) => p !== undefined);
  if (!paths) throw new UsageError("--to: required (no connector takes a local folder as the default target)");
  return paths.defaultTarget(baseDir);
}
