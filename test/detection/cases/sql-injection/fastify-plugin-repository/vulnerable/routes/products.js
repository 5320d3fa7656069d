const repo = require('../repositories/products');

module.exports = async function productRoutes(fastify) {
  fastify.get('/', async (request) => {
    const { category, sort } = request.query;
    return repo.listByCategory(category, sort);
  });

  fastify.route({
    method: 'GET',
    url: '/:id',
    handler: async (request, reply) => {
      const product = await repo.findById(request.params.id);
      if (!product) return reply.code(404).send({ error: 'not found' });
      return product;
    },
  });
};
