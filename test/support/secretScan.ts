/**
 * Secrets made at run time for leak tests, the encodings each may travel in, and a scan of every
 * output a test collected. The encodings are written out here, independently of the scrubber.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** One of each kind of credential a connection sends, with characters that encode differently in each form. */
export interface LeakSecrets {
  user: string;
  password: string;
  token: string;
  apiKey: string;
  cookie: string;
  /** A signature in `base_url`'s query. */
  sig: string;
}

export function makeSecrets(): LeakSecrets {
  const hex = () => randomBytes(8).toString("hex");
  return {
    user: `u${hex()}`,
    password: `p@ss:w/rd +%&é"\\${hex()}`,
    token: `t+/=?&%"${hex()}`,
    apiKey: `k${hex()}/+=`,
    cookie: `c${hex()}`,
    sig: `s ${hex()}+/=`,
  };
}

/** The secrets as environment variables, for `${env:…}` references. */
export function secretEnv(s: LeakSecrets): Record<string, string> {
  return { LEAK_USER: s.user, LEAK_PASSWORD: s.password, LEAK_TOKEN: s.token, LEAK_KEY: s.apiKey, LEAK_COOKIE: s.cookie, LEAK_SIG: s.sig };
}

function encodings(secret: string): { name: string; text: string }[] {
  return [
    { name: "raw", text: secret },
    { name: "percent-encoded", text: encodeURIComponent(secret) },
    { name: "form-encoded", text: new URLSearchParams({ q: secret }).toString().slice(2) },
    { name: "base64", text: Buffer.from(secret).toString("base64") },
    { name: "JSON-escaped", text: JSON.stringify(secret).slice(1, -1) },
  ];
}

/** Every form to look for: each secret (the user name is not one) in each encoding, and basic auth's `user:password` in base64. */
export function forbiddenForms(s: LeakSecrets): { what: string; text: string }[] {
  const secrets: Record<string, string> = { password: s.password, token: s.token, apiKey: s.apiKey, cookie: s.cookie, sig: s.sig };
  const out = Object.entries(secrets).flatMap(([key, value]) => encodings(value).map((e) => ({ what: `${key} (${e.name})`, text: e.text })));
  out.push({ what: "user:password (base64)", text: Buffer.from(`${s.user}:${s.password}`).toString("base64") });
  return out;
}

/** Every file under `dir`, as `[path, text]`. */
export function filesUnder(dir: string): [string, string][] {
  return readdirSync(dir).flatMap((name): [string, string][] => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [[path, readFileSync(path, "latin1") + readFileSync(path, "utf8")]];
  });
}

/** The leaks found: which form of which secret in which output. */
export function findLeaks(outputs: Record<string, string>, s: LeakSecrets): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(outputs)) {
    for (const form of forbiddenForms(s)) {
      const at = text.indexOf(form.text);
      if (at !== -1) leaks.push(`${form.what} in ${where}: …${text.slice(Math.max(0, at - 60), at + form.text.length + 20)}…`);
    }
  }
  return leaks;
}

export const KINDS = ["401", "500", "text", "json400", "json200"] as const;
export const CONNECTIONS = ["basic", "bearer", "keyed"] as const;

/** Three connections (basic auth + a signed base_url, bearer, key and cookie headers), each asking every leaky route. */
export function leakyPipeline(apiUrl: string): string {
  const steps = CONNECTIONS.flatMap((c) => KINDS.map((k) => [`  - id: ${c}_${k}`, "    extract:", `      connection: ${c}`, `      path: /leak/${k}`, "      records: items"].join("\n")));
  return [
    "version: 1",
    "name: leaky",
    "defaults:",
    "  retries: 0",
    "connections:",
    "  basic:",
    "    type: http",
    `    base_url: "${apiUrl}/?sig=\${env:LEAK_SIG}"`,
    "    auth:",
    "      type: basic",
    "      username: ${env:LEAK_USER}",
    "      password: ${env:LEAK_PASSWORD}",
    "  bearer:",
    "    type: http",
    `    base_url: ${apiUrl}`,
    "    auth:",
    "      type: bearer",
    "      token: ${env:LEAK_TOKEN}",
    "  keyed:",
    "    type: http",
    `    base_url: ${apiUrl}`,
    "    headers:",
    "      X-Api-Key: ${env:LEAK_KEY}",
    '      Cookie: "session=${env:LEAK_COOKIE}"',
    "steps:",
    ...steps,
    "",
  ].join("\n");
}
