// ESLint for the chart page's own JavaScript (linkgraph/render/chart/*.js; the vendored libraries are not ours).
// Run from the repository root, as .ci/run does:
//   npm ci --prefix tools/js && tools/js/node_modules/.bin/eslint --config tools/js/eslint.config.js linkgraph/render/chart
// (with --config, file patterns are relative to the current folder, the repository root).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["linkgraph/render/chart/vendor/**"] },
  {
    files: ["linkgraph/render/chart/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2020,
      // a classic <script> inlined in the page: no modules, no imports
      sourceType: "script",
      globals: {
        ...globals.browser,
        vis: "readonly", // vis-network, the page's first script
        topojson: "readonly", // topojson-client, the second
      },
    },
    rules: {
      ...js.configs.recommended.rules,
      "no-undef": "error",
      "no-unused-vars": ["error", { args: "none" }],
      "no-implicit-globals": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-script-url": "error",
      // the page writes data only as text: no HTML parsing sinks
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "write data with textContent" },
        { property: "outerHTML", message: "write data with textContent" },
        { property: "insertAdjacentHTML", message: "write data with textContent" },
        { object: "document", property: "write", message: "write data with textContent" },
        { object: "document", property: "writeln", message: "write data with textContent" },
      ],
      eqeqeq: ["error", "always", { null: "ignore" }],
      strict: ["error", "function"],
    },
  },
];
