import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import session from 'koa-session';
import members from './routes/members.js';

const app = new Koa();
app.keys = [process.env.SESSION_KEY];
app.use(session(app));
app.use(bodyParser());
app.use(members.routes());
app.listen(8080);
