// The app's own health: it answers, so it lives. hinit's [check:web] asks here.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ status: 'pass', pid: process.pid });
}
