// The configuration problems' sentences (form/problems.json) are not in the
// wasm: it names each by its number. They ship once, as the texts file
// "problems.en" of each way in, in the file's order. Reads the build's pkg/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Script, createContext } from "node:vm";

const sentences = Object.values(JSON.parse(readFileSync("form/problems.json", "utf8")));

test("no problem sentence is in the shipped wasm or the shell", () => {
  const shipped = {
    wasm: readFileSync("pkg/consent_widget_bg.wasm").toString("latin1"),
    shell: readFileSync("pkg/consent_widget.js", "utf8"),
  };
  // Every run of words between placeholders that is long enough to be a sentence's own.
  const fragments = sentences.flatMap((s) => s.split(/\{\w+\}/)).map((f) => f.trim()).filter((f) => f.length >= 16);
  assert.ok(fragments.length > 20, `${fragments.length} fragments`);
  for (const [name, bytes] of Object.entries(shipped)) {
    const found = fragments.filter((f) => bytes.includes(f));
    assert.deepEqual(found, [], `${name} holds problem sentences`);
  }
});

test("both ways in ship the sentences in the file's order", async () => {
  const esm = await import(new URL("../pkg/problems.en.js", import.meta.url));
  assert.deepEqual(JSON.parse(esm.default), sentences);
  const context = createContext({});
  context.self = context;
  new Script(readFileSync("pkg/consent-widget.problems.en.js", "utf8")).runInContext(context);
  assert.deepEqual(JSON.parse(context.ConsentWidgetTexts["problems.en"]), sentences);
});
