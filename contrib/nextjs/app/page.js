export const dynamic = 'force-dynamic';

export default function Page() {
  return <p>hello from behind hinit</p>;
}
