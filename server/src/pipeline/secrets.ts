/** `${env:NAME}` and `${file:PATH}` references inside strings. */
export interface SecretRef {
  kind: "env" | "file";
  name: string;
  /** Offsets within the string. */
  start: number;
  end: number;
}

const REF = /\$\{(env|file):([^}]*)\}/g;

export function findSecretRefs(value: string): SecretRef[] {
  const refs: SecretRef[] = [];
  for (const m of value.matchAll(REF)) {
    refs.push({ kind: m[1] as "env" | "file", name: (m[2] ?? "").trim(), start: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  }
  return refs;
}

/** True when the whole value is one reference, e.g. `${env:PG_PASSWORD}`. */
export function isOnlyRef(value: string): boolean {
  const refs = findSecretRefs(value.trim());
  return refs.length === 1 && refs[0]?.start === 0 && refs[0]?.end === value.trim().length;
}

/** A suggested variable name for a connection's secret, e.g. `WAREHOUSE_PASSWORD`. */
export function envNameFor(connection: string, key: string): string {
  return `${connection}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}
