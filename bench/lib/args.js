'use strict';
// Tiny CLI parser: --name value, --name=value, --flag (boolean true), --no-flag (false).
// Names are turned into camelCase keys; values stay strings unless the default is a number/boolean.

function parseArgs(argv, defaults, help) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(help + '\n');
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}' (see --help)`);
    arg = arg.slice(2);
    let value;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    let key = arg.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (value === undefined && key.startsWith('no') && typeof defaults[lower(key.slice(2))] === 'boolean') {
      out[lower(key.slice(2))] = false;
      continue;
    }
    if (!(key in defaults)) throw new Error(`unknown option --${arg} (see --help)`);
    if (typeof defaults[key] === 'boolean') {
      out[key] = value === undefined ? true : !/^(false|0|no)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`option --${arg} needs a value`);
      value = argv[++i];
    }
    if (typeof defaults[key] === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`option --${arg}: '${value}' is not a number`);
      out[key] = n;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function lower(s) {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

module.exports = { parseArgs };
