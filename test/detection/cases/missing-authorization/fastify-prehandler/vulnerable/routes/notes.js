'use strict';
const Note = require('../models/note');

module.exports = async function notes(fastify) {
  fastify.get('/', { preHandler: [fastify.authenticate] }, async (request) => {
    return Note.findAll({ where: { ownerId: request.user.id } });
  });

  fastify.post('/', { preHandler: [fastify.authenticate] }, async (request, reply) => {
    const note = await Note.create({ ownerId: request.user.id, title: String(request.body.title), text: String(request.body.text) });
    reply.code(201);
    return note;
  });

  fastify.get('/:id', { preHandler: [fastify.authenticate] }, async (request) => {
    return Note.findOne({ where: { id: request.params.id, ownerId: request.user.id } });
  });

  fastify.delete('/:id', async (request, reply) => {
    await Note.destroy({ where: { id: request.params.id, ownerId: request.user.id } });
    reply.code(204);
  });

};
