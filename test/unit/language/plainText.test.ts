// Messages and quick-fix titles in the editor are plain text: code-span backticks go, backticks of names stay.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plainText } from "../../../server/src/language/plainText";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { VALID } from "../helpers";

describe("plainText", () => {
  it("drops the backticks around names, keeps the text around them", () => {
    assert.equal(plainText("`depends_on` names `ordrs`, but no step has that id — did you mean `orders`?"), "depends_on names ordrs, but no step has that id — did you mean orders?");
    assert.equal(plainText("quote a value that starts with `${` inside `{…}`: write `\"${env:X}\"`; unquoted"), 'quote a value that starts with ${ inside {…}: write "${env:X}"; unquoted');
    assert.equal(plainText("Add `DB_PASSWORD=` to .env (fill in the value there)"), "Add DB_PASSWORD= to .env (fill in the value there)");
    assert.equal(plainText("(`a`, `b`)"), "(a, b)");
    assert.equal(plainText("no code here"), "no code here");
  });

  it("keeps a backtick that is part of a name: inside a word, next to a space, doubled, or alone", () => {
    assert.equal(plainText("column `we`ird` is missing"), "column we`ird is missing");
    assert.equal(plainText("column `a` b` is missing; did you mean `ab`?"), "column a` b is missing; did you mean ab?");
    assert.equal(plainText("table ``quoted``, schema `s`"), "table `quoted`, schema s");
    assert.equal(plainText("a lone ` here"), "a lone ` here");
    assert.equal(plainText("ends with `"), "ends with `");
  });

  it("every name a step reference with backticks produces survives in the message (the class, not one example)", () => {
    for (const name of ["or`ders", "`orders", "orders`", "`x` y", "a``b"]) {
      const text = VALID.replace("depends_on: [orders]", `depends_on: [${JSON.stringify(name)}]`);
      const unknown = validatePipeline(text).problems.find((p) => p.code === "unknown-step");
      assert.ok(unknown, name);
      assert.ok(plainText(unknown.message).startsWith(`depends_on names ${name}, but no step has that id`), `${name}: ${plainText(unknown.message)}`);
    }
  });
});
