/**
 * The extension's manifest and Workspace Trust: it runs in Restricted Mode with limited support,
 * and every setting that names a program, a file or a folder is restricted (VS Code then reads it
 * from the user's settings only, so a cloned repository cannot point the extension elsewhere).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_SETTINGS } from "../../../server/src/protocol";

interface Manifest {
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; description?: unknown; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, { type: string; markdownDescription?: string; scope?: string }> } };
}

const manifest = JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")) as Manifest;
const settings = manifest.contributes.configuration.properties;

/** Settings whose value is a path or a program: by name, or by what their description says. */
const namesAPath = (name: string, description: string) => /(Path|File|Dir|Folders?)$/.test(name) || /\b(executable|folder|path)\b/i.test(description.split(".")[0] ?? "");

describe("the extension manifest and Workspace Trust", () => {
  it("declares limited support for untrusted workspaces, with a description", () => {
    const trust = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, "limited");
    assert.match(String(trust?.description), /Restricted Mode.*no live analysis/s);
  });

  it("restricts every setting that names a program, a file or a folder, and only declared settings", () => {
    const restricted = new Set(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? []);
    const paths = Object.entries(settings).filter(([name, s]) => namesAPath(name.replace(/^agentEtl\./, ""), s.markdownDescription ?? "")).map(([name]) => name);
    assert.ok(paths.length >= 5, `found the path settings: ${paths.join(", ")}`);
    for (const name of paths) assert.ok(restricted.has(name), `${name} names a path or program: list it in restrictedConfigurations`);
    for (const name of restricted) assert.ok(name in settings, `${name} is restricted but not a setting`);
  });

  it("declares every server setting (the add-a-setting recipe), agentEtl.secretFolders among them", () => {
    const leaves = (prefix: string, value: unknown): string[] =>
      value !== null && typeof value === "object" && !Array.isArray(value) ? Object.entries(value).flatMap(([k, v]) => leaves(`${prefix}.${k}`, v)) : [prefix];
    for (const name of leaves("agentEtl", DEFAULT_SETTINGS)) assert.ok(name in settings, `${name} is missing from contributes.configuration`);
    assert.equal(settings["agentEtl.secretFolders"]?.type, "array");
    assert.equal(settings["agentEtl.secretFolders"]?.scope, "machine-overridable");
  });
});
