'use strict';
const { Sequelize, DataTypes } = require('sequelize');

const sequelize = new Sequelize(process.env.DATABASE_URL);

const User = sequelize.define('User', {
  email: { type: DataTypes.STRING, unique: true },
  passwordHash: DataTypes.STRING,
});

const Invoice = sequelize.define('Invoice', {
  ownerId: { type: DataTypes.INTEGER, allowNull: false },
  customer: DataTypes.STRING,
  amount: DataTypes.DECIMAL(10, 2),
  paid: { type: DataTypes.BOOLEAN, defaultValue: false },
});

module.exports = { sequelize, User, Invoice };
