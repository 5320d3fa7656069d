import { NextResponse, type NextRequest } from 'next/server';

export function middleware(request: NextRequest) {
  if (!request.cookies.has('portal_session')) {
    const back = encodeURIComponent(request.nextUrl.pathname + request.nextUrl.search);
    return NextResponse.redirect(new URL(`/signin?callbackUrl=${back}`, request.url));
  }
  return NextResponse.next();
}

export const config = { matcher: ['/account/:path*', '/billing/:path*'] };
