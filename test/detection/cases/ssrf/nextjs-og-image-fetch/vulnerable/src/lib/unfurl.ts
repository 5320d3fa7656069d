export interface Preview {
  title?: string;
  image?: string;
}

export async function unfurl(target: string): Promise<Preview> {
  const res = await fetch(target, { headers: { 'user-agent': 'linkboard-bot/1.0' }, redirect: 'follow' });
  const html = await res.text();
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1];
  const image = /<meta property="og:image" content="([^"]+)"/i.exec(html)?.[1];
  return { title, image };
}
