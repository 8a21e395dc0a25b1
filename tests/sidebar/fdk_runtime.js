// A stand-in for Freshworks' runtime: runs one function of the packaged app, with its request templates
// (config/requests.json) sent to a live Valuedesk, iparams filled in as Freshworks' servers do.
//   node fdk_runtime.js server <app> <service URL> <handler> <payload.json> <iparams.json> <db.json>
//     a server/server.js handler with an event payload; prints what it rendered, the app's $db and its calls
//   node fdk_runtime.js page <app> <service URL> <callback> <value.json> <iparams.json>
//     a config/assets/iparams.js callback as the install page calls it; prints its answer and its calls
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [mode, appDir, base, name, inputFile, iparamsFile, dbFile] = process.argv.slice(2);
const templates = JSON.parse(fs.readFileSync(path.join(appDir, "config", "requests.json"), "utf8"));
const input = JSON.parse(fs.readFileSync(inputFile, "utf8"));
const iparams = JSON.parse(fs.readFileSync(iparamsFile, "utf8"));
const db = dbFile && fs.existsSync(dbFile) ? JSON.parse(fs.readFileSync(dbFile, "utf8")) : {};
const calls = [];
let rendered = null;

function fill(text, context) {
  return text.replace(/<%= (iparam|context)\.(\w+) %>/g, (_, kind, key) => String((kind === "iparam" ? iparams : context)[key]));
}

const request = {
  async invokeTemplate(template, options) {
    const schema = templates[template].schema, context = (options && options.context) || {};
    const headers = Object.fromEntries(Object.entries(schema.headers).map(([k, v]) => [k, fill(v, context)]));
    const response = await fetch(base + fill(schema.path, context), { method: schema.method, headers,
                                                                       body: options && options.body });
    const answer = { status: response.status, response: await response.text() };
    calls.push({ name: template, path: fill(schema.path, context), status: answer.status });
    if (!response.ok) throw answer;
    return answer;
  },
};

const sandbox = {
  console, Date, JSON, exports: {},
  renderData(error) { rendered = error === undefined ? { ok: true } : { ok: false, error }; },
  $db: {
    async get(key) {
      if (!(key in db)) throw { status: 404, message: "Record not found" };
      return db[key];
    },
    async set(key, value) { db[key] = value; return { Created: true }; },
  },
  $request: request,
  app: { initialized: () => Promise.resolve({ request }) },
  utils: { get: (key) => iparams[key], set() {} },
};
vm.createContext(sandbox);

(async () => {
  if (mode === "server") {
    vm.runInContext(fs.readFileSync(path.join(appDir, "server", "server.js"), "utf8"), sandbox);
    await sandbox.exports[name]({ ...input, iparams });
    fs.writeFileSync(dbFile, JSON.stringify(db));
    process.stdout.write(JSON.stringify({ rendered, db, calls }));
  } else {
    vm.runInContext(fs.readFileSync(path.join(appDir, "config", "assets", "iparams.js"), "utf8"), sandbox);
    const answer = await vm.runInContext(name, sandbox)(input);
    process.stdout.write(JSON.stringify({ answer, calls }));
  }
})().catch((error) => { console.error(error); process.exit(1); });
