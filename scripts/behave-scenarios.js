#!/usr/bin/env node
// Writes, for one build folder, every scenario ../shared/behave generates (identities, seed
// records, operations) with behave's outcome of each, as JSON, for
// `SIM_SCENARIOS=FILE cargo test --test simulate -- --ignored` to run through our simulator
// and compare. A development tool: it needs Node.js and behave's dependencies
// (../shared/behave/setup); the project's tests never need it.
//
// usage: scripts/behave-scenarios.js BUILD_DIR INPUT_SCHEMA OUT.json
'use strict';
const path = require('path');
const fs = require('fs');
const behave = path.resolve(process.env.BEHAVE_DIR || path.join(__dirname, '..', '..', 'shared', 'behave'), 'lib');
const { loadBuild } = require(path.join(behave, 'build'));
const { analyse } = require(path.join(behave, 'model'));
const { makeIdentities } = require(path.join(behave, 'identities'));
const { generate } = require(path.join(behave, 'scenarios'));
const { BuildRunner, CLOCK } = require(path.join(behave, 'runner'));

const [dir, schema, out] = process.argv.slice(2);
if (!out) { process.stderr.write('usage: behave-scenarios.js BUILD_DIR INPUT_SCHEMA OUT.json\n'); process.exit(2); }
const build = loadBuild(dir);
const analysis = analyse(build, schema);
const identities = makeIdentities(build, analysis.rules);
const tables = Object.fromEntries(analysis.models.map((m) => [m.name, m.table]));
const { scenarios, seeds } = generate(analysis, identities, tables);
const runner = new BuildRunner(dir, analysis, identities, seeds);
const AUTO_ID = (k) => `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
const result = {
  clock: new Date(CLOCK).toISOString(),
  identities: Object.fromEntries(identities.map((i) => [i.name, { authMode: i.mode, identity: i.appsync === undefined ? null : i.appsync }])),
  seeds: Object.fromEntries(Object.entries(seeds).map(([m, recs]) => [runner.modelTables[m] ? runner.modelTables[m].label : m, recs])),
  problems: runner.problems,
  scenarios: [],
};
for (const sc of scenarios) {
  // The variables as JSON carries them (a key whose value is undefined is left out), so that
  // both sides run the same request.
  sc.variables = JSON.parse(JSON.stringify(sc.variables || {}));
  // As BuildRunner.run, keeping the final tables too.
  const db = runner.baseDb.clone();
  let k = 0;
  const realNow = Date.now;
  Date.now = () => CLOCK;
  let r;
  try {
    r = runner.executor.run({ query: sc.query, variables: sc.variables }, runner.identities[sc.identity], db, { autoId: () => AUTO_ID(++k) });
  } catch (e) {
    r = { data: null, errors: [{ path: '', type: 'BehaveInternal', message: String(e) }], gctx: { subscriptionFilters: [], trace: [] } };
  } finally {
    Date.now = realNow;
  }
  const outcome = runner.outcome(sc, r, db);
  outcome.tables = JSON.parse(JSON.stringify(db.dump()).replace(/00000000-0000-4000-8000-\d{12}/g, '<autoId>'));
  result.scenarios.push({ id: sc.id, kind: sc.kind, model: sc.model, identity: sc.identity, query: sc.query, variables: sc.variables, outcome });
}
fs.writeFileSync(out, JSON.stringify(result));
process.stdout.write(`${result.scenarios.length} scenarios written to ${out}\n`);
