/** The mocha entry VS Code's test runner calls inside the extension host. */
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: true, timeout: 120_000 });
  // The specs are bundled into this file: give them mocha's globals, then load them.
  mocha.suite.emit("pre-require", globalThis, "extension.test", mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the globals exist
  require("./extension.test");
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
