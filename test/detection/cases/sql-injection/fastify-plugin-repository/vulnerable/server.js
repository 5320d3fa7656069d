const Fastify = require('fastify');
const products = require('./routes/products');

const app = Fastify({ logger: true });
app.register(products, { prefix: '/api/products' });

app.listen({ port: Number(process.env.PORT) || 3000 });
