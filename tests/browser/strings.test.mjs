// The agent pages' two string tables hold the same keys, none empty, and every key a page asks for
// (`t("…")` in a script, `data-i18n="…"` in a page) is in them: a page never shows a raw key in
// either language.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import test from "node:test";

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), "../../crates/backstop-http/assets");
const en = (await import(join(ASSETS, "strings-en.js"))).default;
const zh = (await import(join(ASSETS, "strings-zh.js"))).default;

test("strings: English and Chinese have the same keys, none empty", () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const [k, v] of [...Object.entries(en), ...Object.entries(zh)]) assert.ok(String(v).trim(), `${k} is empty`);
});

test("strings: every key the pages use is in the tables", () => {
  const files = readdirSync(ASSETS).filter((f) => /\.(js|html)$/.test(f) && f !== "widget.js" && !f.startsWith("strings-"));
  const used = new Set();
  for (const f of files) {
    const src = readFileSync(join(ASSETS, f), "utf8");
    for (const m of src.matchAll(/\bt\(\s*"([a-z][\w.-]*[\w-])"/g)) used.add(m[1]);
    for (const m of src.matchAll(/data-i18n(?:-[a-z]+)?="([a-z][\w.-]*[\w-])"/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100, `found the pages' keys (${used.size})`);
  const missing = [...used].filter((k) => !(k in en));
  assert.deepEqual(missing, [], "keys used but not defined");
});
