import express from 'express';
import cookieSession from 'cookie-session';
import { accountRouter } from './routes/account.mjs';

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(cookieSession({ name: 'sid', keys: [process.env.COOKIE_KEY], httpOnly: true, secure: true, sameSite: 'strict' }));
app.use('/account', accountRouter);
app.listen(3000);
