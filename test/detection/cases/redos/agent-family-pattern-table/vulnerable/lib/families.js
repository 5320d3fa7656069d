'use strict';

// One pattern per client family; callers ask about a family by name.
module.exports = {
  chrome: /\bChrome\/(\d+)/,
  firefox: /\bFirefox\/(\d+)/,
  safari: /\bVersion\/(\d+)(?:\.\d+)* Safari\//,
  crawler: /^(?:[\w-]+\s?)+(?:bot|spider|crawler)\b/i,
  curl: /^curl\/(\d+)/
};
