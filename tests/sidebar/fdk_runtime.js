// A stand-in for Freshworks' serverless runtime: runs one handler of the packaged server/server.js with an event
// payload, and its request templates (config/requests.json) against a live Valuedesk, iparams filled in as
// Freshworks' servers do. Prints what the handler rendered, the app's $db afterwards, and the calls it made.
//   node fdk_runtime.js <unpacked app> <service base URL> <handler> <payload.json> <iparams.json> <db.json>
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [appDir, base, handler, payloadFile, iparamsFile, dbFile] = process.argv.slice(2);
const templates = JSON.parse(fs.readFileSync(path.join(appDir, "config", "requests.json"), "utf8"));
const payload = JSON.parse(fs.readFileSync(payloadFile, "utf8"));
const iparams = JSON.parse(fs.readFileSync(iparamsFile, "utf8"));
const db = fs.existsSync(dbFile) ? JSON.parse(fs.readFileSync(dbFile, "utf8")) : {};
const calls = [];
let rendered;

function fill(text, context) {
  return text.replace(/<%= (iparam|context)\.(\w+) %>/g, (_, kind, key) => String((kind === "iparam" ? iparams : context)[key]));
}

const sandbox = {
  console,
  Date,
  JSON,
  exports: {},
  renderData(error) { rendered = error === undefined ? { ok: true } : { ok: false, error }; },
  $db: {
    async get(key) {
      if (!(key in db)) throw { status: 404, message: "Record not found" };
      return db[key];
    },
    async set(key, value) { db[key] = value; return { Created: true }; },
  },
  $request: {
    async invokeTemplate(name, options) {
      const schema = templates[name].schema, context = (options && options.context) || {};
      const headers = Object.fromEntries(Object.entries(schema.headers).map(([k, v]) => [k, fill(v, context)]));
      const response = await fetch(base + fill(schema.path, context), { method: schema.method, headers,
                                                                         body: options && options.body });
      const answer = { status: response.status, response: await response.text() };
      calls.push({ name, path: fill(schema.path, context), status: answer.status });
      if (!response.ok) throw answer;
      return answer;
    },
  },
};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(path.join(appDir, "server", "server.js"), "utf8"), sandbox);

(async () => {
  await sandbox.exports[handler]({ ...payload, iparams });
  fs.writeFileSync(dbFile, JSON.stringify(db));
  process.stdout.write(JSON.stringify({ rendered: rendered || null, db, calls }));
})().catch((error) => { console.error(error); process.exit(1); });
