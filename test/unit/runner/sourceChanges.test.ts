import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeChange } from "../../../server/src/runner/sourceChanges";

const file = (name: string, size: number, version = "modified 2024-01-01T00:00:00.000Z (1)") => ({ name, size, version });

describe("describeChange", () => {
  it("nothing changed: undefined, whatever the order the files are listed in", () => {
    assert.equal(describeChange({ items: [file("a.csv", 1), file("b.csv", 2)] }, { items: [file("b.csv", 2), file("a.csv", 1)] }), undefined);
    assert.equal(describeChange({ items: [] }, { items: [] }), undefined);
  });

  it("names a size change with both sizes, else the modification time or the ETag", () => {
    assert.equal(describeChange({ items: [file("a.csv", 1200)] }, { items: [file("a.csv", 1310)] }), "a.csv: size 1,200 → 1,310 bytes");
    assert.equal(describeChange({ items: [file("a.csv", 5)] }, { items: [file("a.csv", 5, "modified 2024-01-02T00:00:00.000Z (2)")] }), "a.csv: modification time changed");
    assert.equal(describeChange({ items: [file("k.csv", 5, 'etag "1"')] }, { items: [file("k.csv", 5, 'etag "2"')] }), "k.csv: ETag changed");
  });

  it("new and gone files, and a long list cut after three with the total", () => {
    assert.equal(describeChange({ items: [file("a.csv", 1)] }, { items: [file("b.csv", 1)] }), "b.csv is new; a.csv is gone");
    const before = { items: ["a", "b", "c", "d", "e"].map((n) => file(`${n}.csv`, 1)) };
    const now = { items: ["a", "b", "c", "d", "e"].map((n) => file(`${n}.csv`, 2)) };
    assert.equal(describeChange(before, now), "a.csv: size 1 → 2 bytes; b.csv: size 1 → 2 bytes; c.csv: size 1 → 2 bytes; … 5 changes in all");
  });
});
