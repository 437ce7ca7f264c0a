#!/usr/bin/env node
// Helper commands for load/run.sh, against a running server:
//   node gallery-tool.js seed  TARGET COUNT [BATCH] [TIMEOUT_S]  upload COUNT distinct photos,
//                                                                then wait until all are classified
//   node gallery-tool.js drain TARGET [TIMEOUT_S]                 wait until no photo is pending
//   node gallery-tool.js census TARGET                            count photos by status
//   node gallery-tool.js sessions TARGET COUNT FILE               make the account (first run)
//                                                                and COUNT sessions, one cookie a
//                                                                line in FILE
// Each prints one JSON line on stdout (progress on stderr) and exits non-zero when a photo
// failed, or the wait timed out.
'use strict';

const { seed, waitDrained, census } = require('./lib/gallery');
const { signIn } = require('./lib/sessions');
const fs = require('fs');

const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  const [cmd, target, ...rest] = process.argv.slice(2);
  if (!cmd || !target || !/^http:\/\/127\.0\.0\.1:\d+$/.test(target)) {
    throw new Error('usage: gallery-tool.js seed|drain|census|sessions http://127.0.0.1:PORT ...');
  }
  let result;
  if (cmd === 'seed') {
    const count = Number(rest[0] || 200);
    const batch = Number(rest[1] || 10);
    const timeoutS = Number(rest[2] || 600);
    const t0 = Date.now();
    const ids = await seed(target, { count, batch });
    const uploadS = (Date.now() - t0) / 1000;
    log(`  uploaded ${ids.length} photos in ${uploadS.toFixed(1)} s; waiting for classification`);
    const drained = await waitDrained(target, { timeoutS, log });
    result = { uploaded: ids.length, upload_seconds: uploadS, ...drained };
  } else if (cmd === 'drain') {
    result = await waitDrained(target, { timeoutS: Number(rest[0] || 600), log });
  } else if (cmd === 'sessions') {
    const cookies = await signIn(target, Number(rest[0] || 100));
    fs.writeFileSync(rest[1], `${cookies.join('\n')}\n`);
    result = { sessions: cookies.length, drained: true };
  } else if (cmd === 'census') {
    result = { ...(await census(target)), drained: true };
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!result.drained || result.failed > 0) process.exitCode = 1;
}

main().catch((err) => {
  log(`gallery-tool: ${err.message}`);
  process.exitCode = 2;
});
