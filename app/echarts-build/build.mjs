// Builds ../static/vendor/echarts.min.js from entry.js with the versions
// pinned in package-lock.json: `npm ci && npm run build`.
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const version = JSON.parse(readFileSync("node_modules/echarts/package.json", "utf8")).version;
await build({
  entryPoints: ["entry.js"],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "echarts",
  target: "es2017",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  banner: { js: `/*! echarts ${version} modular build (app/echarts-build/entry.js), Apache-2.0, see LICENSE-echarts.txt */` },
  outfile: "../static/vendor/echarts.min.js",
  logLevel: "info",
});
