// graphile-worker draining JOBS no-op jobs on DATABASE_URL, timed from the runner's start to the
// last job's completion; prints {"version", "seconds"} as its last line. Run by
// server/benches/jobs.rs (see its header), not by hand.
import { createRequire } from "node:module";
import { Logger, makeWorkerUtils, run } from "graphile-worker";

const connectionString = process.env.DATABASE_URL;
const jobs = Number(process.env.JOBS);
const concurrency = Number(process.env.CONCURRENCY);
const localQueue = Number(process.env.LOCAL_QUEUE);
const version = createRequire(import.meta.url)("graphile-worker/package.json").version;

const utils = await makeWorkerUtils({ connectionString });
await utils.migrate();
await utils.withPgClient((client) =>
  client.query(
    // add_jobs in one call: add_job once per row slows down with the queue's size.
    `SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
       SELECT ROW('noop', json_build_object('n', n), NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec
       FROM generate_series(1, $1) n))`,
    [jobs],
  ),
);

let done = 0;
let finished;
const allDone = new Promise((resolve) => (finished = resolve));
const started = performance.now();
const runner = await run({
  noHandleSignals: true,
  taskList: {
    noop: async () => {
      done += 1;
      if (done === jobs) finished();
    },
  },
  // Silent: logging every job would slow it down, and the comparison should be its best.
  logger: new Logger(() => () => {}),
  preset: {
    worker: {
      connectionString,
      concurrentJobs: concurrency,
      maxPoolSize: concurrency + 2,
      pollInterval: 100,
      localQueue: { size: localQueue },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  },
});
await allDone;
// Completions are batched: the run ends when the last one is committed (done jobs are deleted).
for (;;) {
  const { rows } = await utils.withPgClient((client) =>
    client.query("SELECT COUNT(*)::int AS n FROM graphile_worker._private_jobs"),
  );
  if (rows[0].n === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const seconds = (performance.now() - started) / 1000;
await runner.stop();
await utils.release();
console.log(JSON.stringify({ version, seconds }));
