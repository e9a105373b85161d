/**
 * The forms a secret takes on the way out: we send a password percent-encoded in a URL, a token in
 * a query string, `user:password` in base64 behind `Basic`, and a server may echo any of them back
 * (a 401 page quoting the request's headers). Scrubbing only the raw value would let those through,
 * so every scrubber masks every form listed here.
 */

/** Shorter values are not masked: `***` in place of every `a` or `id` would wreck messages. */
const MIN_SECRET_LENGTH = 4;

const FORMS_CACHE_LIMIT = 512;
const formsCache = new Map<string, readonly string[]>();

function percentForms(secret: string): string[] {
  const url = new URL("http://x/");
  url.password = secret;
  url.searchParams.set("q", secret);
  // As a password, a form-encoded parameter, and as the URL parser leaves a raw query or path.
  const parsed = [new URL(`http://x/?${secret}`).search.slice(1), new URL(`http://x/${secret}`).pathname.slice(1)];
  const forms = [encodeURIComponent(secret), encodeURI(secret), url.password, url.search.slice("?q=".length), ...parsed.filter((f) => decodesTo(f, secret))];
  // A server may normalise the hex digits to lower case when it echoes a URL.
  return [...forms, ...forms.map((f) => f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))];
}

/** Whether `form` is the whole secret: the URL parser cuts at `#` and folds `..`, which would leave a piece. */
function decodesTo(form: string, secret: string): boolean {
  try {
    return decodeURIComponent(form) === secret;
  } catch {
    return false;
  }
}

function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const standard = bytes.toString("base64");
  return [standard, standard.replace(/=+$/, ""), bytes.toString("base64url")];
}

/** The secret as it appears inside a JSON string (quotes, backslashes and controls escaped). */
function jsonForm(secret: string): string {
  return JSON.stringify(secret).slice(1, -1);
}

/** Every form of `secret` worth masking, the raw value first; none shorter than MIN_SECRET_LENGTH. */
function secretForms(secret: string): readonly string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const forms = secret.length < MIN_SECRET_LENGTH ? [] : [...new Set([secret, ...percentForms(secret), ...base64Forms(secret), jsonForm(secret)])].filter((f) => f.length >= MIN_SECRET_LENGTH);
  if (formsCache.size >= FORMS_CACHE_LIMIT) formsCache.clear();
  formsCache.set(secret, forms);
  return forms;
}

/** The forms of all `secrets`, longest first, so a form that contains another is masked whole. */
export function allSecretForms(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const s of secrets) for (const form of secretForms(s)) out.add(form);
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * The credential pair HTTP basic auth sends (base64 of `user:password` behind `Basic`): a value
 * derived from two secrets, so it is added to the secret list as one more secret.
 */
export function basicAuthPair(username: string, password: string): string {
  return `${username}:${password}`;
}

/** Query parameters that carry credentials (`?token=…`, `&api_key=…`, `X-Amz-Signature=…`). */
const SECRET_QUERY = /([?&;](?:[\w.-]*(?:token|key|secret|password|passwd|pwd|signature|sig|auth|credential|session)[\w.-]*)=)[^&#\s"'<>\\]+/gi;

/**
 * Replaces every secret value in each form it travels in (raw, percent-encoded, base64, JSON —
 * see secretForms above), the password of any URL and the value of any credential-like query parameter
 * with `***`.
 */
export function scrubSecrets(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const form of allSecretForms(secrets)) out = out.split(form).join("***");
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)@/gi, "$1***@").replace(SECRET_QUERY, "$1***");
}
