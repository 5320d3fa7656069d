'use strict';
const { Sequelize, DataTypes } = require('sequelize');

const sequelize = new Sequelize(process.env.DATABASE_URL, { logging: false });

module.exports = sequelize.define('Note', {
  ownerId: { type: DataTypes.INTEGER, allowNull: false },
  title: DataTypes.STRING,
  text: DataTypes.TEXT,
});
