import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dagId, isValidTaskId, moduleName } from "../../../server/src/airflow/naming";
import { splitWords } from "../../../server/src/airflow/shellWords";

describe("moduleName / dagId", () => {
  it("keeps a pipeline name that is already a good module name", () => {
    assert.equal(moduleName("orders_daily"), "orders_daily");
    assert.equal(dagId("orders_daily"), "orders_daily");
  });

  it("moves Python keywords and standard-library or Airflow module names out of the way", () => {
    for (const [name, module] of [["class", "class_dag"], ["import", "import_dag"], ["match", "match_dag"], ["json", "json_dag"], ["datetime", "datetime_dag"], ["airflow", "airflow_dag"], ["os", "os_dag"]]) {
      assert.equal(moduleName(name as string), module);
    }
  });

  it("sanitizes anything else into [a-z][a-z0-9_]*", () => {
    assert.equal(moduleName("My Pipeline-2024!"), "my_pipeline_2024");
    assert.equal(moduleName("2024_report"), "etl_2024_report");
    assert.equal(moduleName("Café Ünïcode"), "cafe_unicode");
    assert.equal(moduleName("日本語"), "pipeline");
    assert.equal(moduleName(""), "pipeline");
    assert.equal(moduleName("a".repeat(300)).length, 200);
    for (const name of ["x\ny", "../../etc/passwd", "a'b\"c", "{{ x }}"]) assert.match(moduleName(name), /^[a-z][a-z0-9_]*$/);
  });

  it("accepts step ids as task ids", () => {
    assert.ok(isValidTaskId("extract_orders"));
    assert.ok(!isValidTaskId("bad id"));
    assert.ok(!isValidTaskId(""));
  });
});

describe("splitWords (--cli)", () => {
  it("splits like sh, with quotes and backslashes and no expansion", () => {
    assert.deepEqual(splitWords("agent-etl"), { words: ["agent-etl"] });
    assert.deepEqual(splitWords("  node   /repo/dist/cli.js "), { words: ["node", "/repo/dist/cli.js"] });
    assert.deepEqual(splitWords(`node '/my repo/dist/cli.js'`), { words: ["node", "/my repo/dist/cli.js"] });
    assert.deepEqual(splitWords(`node "/a \\"b\\" $HOME"`), { words: ["node", '/a "b" $HOME'] });
    assert.deepEqual(splitWords(`a\\ b ''`), { words: ["a b", ""] });
  });

  it("reports an unclosed quote or an empty command", () => {
    assert.deepEqual(splitWords(`node "x`), { error: 'unclosed " quote' });
    assert.deepEqual(splitWords("   "), { error: "the command is empty" });
  });
});
