'use strict';
const { Model, DataTypes } = require('sequelize');
const sequelize = require('./db');

class Account extends Model {}

Account.init(
  {
    email: { type: DataTypes.STRING, allowNull: false, unique: true },
    displayName: DataTypes.STRING,
    passwordHash: DataTypes.STRING,
    plan: { type: DataTypes.STRING, defaultValue: 'free' },
    isAdmin: { type: DataTypes.BOOLEAN, defaultValue: false },
  },
  { sequelize, modelName: 'Account' },
);

module.exports = Account;
