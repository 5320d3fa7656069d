import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import ratelimit from 'koa-ratelimit';
import session from 'koa-session';
import members from './routes/members.js';

const app = new Koa();
app.keys = [process.env.SESSION_KEY];
app.use(session(app));
app.use(bodyParser());
// Sign-in attempts are limited per address, so the password check cannot be brute-forced.
app.use(ratelimit({ driver: 'memory', db: new Map(), duration: 60_000, max: 20 }));
app.use(members.routes());
app.listen(8080);
