const Koa = require('koa');
const profile = require('./routes/profile');

const app = new Koa();
app.use(profile.routes());
app.use(profile.allowedMethods());
app.listen(process.env.PORT || 3000);
