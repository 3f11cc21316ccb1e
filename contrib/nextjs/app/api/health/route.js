// /api/health on the app's own port, for platforms whose router probes only
// that port (Render's healthCheckPath, Railway, Heroku-style routers):
// hinit's verdict, read from its status file, with the status code of
// hinit's /health (200 pass or warn, 503 otherwise). One small file read per
// request; no database query, since hinit probes on its own schedule.
//
// hinit gives the app HINIT_STATUS_FILE. The file must be a regular file of
// this process's user (hinit runs as the same user), not a link, and fresh
// (hinit rewrites it at least every 5s): else 503, as `hinit status` says 1.
import { promises as fs, constants } from 'node:fs';

export const dynamic = 'force-dynamic';

const STALE_MS = 15000;
const headers = {
  'Content-Type': 'application/health+json',
  'Cache-Control': 'no-store',
};

function fail(output) {
  return new Response(JSON.stringify({ status: 'fail', output }) + '\n', {
    status: 503,
    headers,
  });
}

export async function GET() {
  const path = process.env.HINIT_STATUS_FILE;
  if (!path) return fail('HINIT_STATUS_FILE is not set: not run by hinit');
  let fh;
  try {
    fh = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    return fail(`no status from hinit (${e.code})`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.uid !== process.getuid())
      return fail('the status file is not hinit\'s');
    if (Date.now() - st.mtimeMs > STALE_MS)
      return fail('the status file is stale: is hinit running?');
    const text = await fh.readFile('utf8');
    const doc = JSON.parse(text);
    const ok = doc.status === 'pass' || doc.status === 'warn';
    return new Response(text, { status: ok ? 200 : 503, headers });
  } catch (e) {
    return fail('unreadable status file');
  } finally {
    await fh.close();
  }
}
