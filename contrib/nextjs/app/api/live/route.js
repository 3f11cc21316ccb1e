// The app's own liveness: it answers, so it lives. hinit's [check:web] asks
// here (never /api/health, which answers with hinit's verdict on all checks,
// this one included).
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ status: 'pass', pid: process.pid });
}
